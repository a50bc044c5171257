from django.contrib.auth.middleware import LoginRequiredMiddleware


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, except those marked ``@login_not_required``.

    The JSON API is left to Django REST Framework, which authenticates tokens as well as
    sessions and answers 401/403 in JSON rather than redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
