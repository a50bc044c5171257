"""Domain errors that services raise and views turn into a clear message.

``Conflict`` is a step the current state does not allow (HTTP 409); ``Forbidden`` is a
step the user's role does not allow (HTTP 403). Their text is for people: it says why.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class Unavailable(DomainError):
    """A service the step needs (a signing token, a remote signing service) did not answer."""

    status_code = 503


class Invalid(DomainError):
    """Input that passed the form but breaks a business rule (a future date, say)."""

    status_code = 400


def form_error(form) -> Invalid:
    """A form that did not pass, as the domain error the pages already know how to show."""
    return Invalid(" ".join(str(m) for errors in form.errors.values() for m in errors))
