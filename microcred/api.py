"""API infrastructure: errors are JSON with one clear message."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        message = str(data["detail"])
        errors = {}
    else:
        errors = data
        message = "The request is not valid; see the errors for each field."
    response.data = {"error": message, "errors": errors, "status": response.status_code}
    return response
