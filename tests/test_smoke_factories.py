def test_enrolment_gets_both_dates_and_a_confirmation_email(enrolment, mailoutbox):
    assert enrolment.summative_due_at < enrolment.ends_at
    assert len(mailoutbox) == 1
