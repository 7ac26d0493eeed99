def notice_list(request): ...


mark_read = preferences = unsubscribe = course_notices = notice_list
