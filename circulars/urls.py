from django.urls import path

from circulars import views

urlpatterns = [
    path("incoming/new/", views.incoming_new, name="incoming-new"),
    # incoming/<pk>/ and its handling (present, assign): acknowledgements.urls (they reach the units).
    path("circulars/", views.circular_list, name="circular-list"),
    path("circulars/new/", views.circular_new, name="circular-new"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular-detail"),
    path("circulars/<int:pk>/edit/", views.circular_edit, name="circular-edit"),
    path("circulars/<int:pk>/submit", views.circular_submit, name="circular-submit"),
    path("circulars/<int:pk>/approve", views.circular_approve, name="circular-approve"),
    path("circulars/<int:pk>/return", views.circular_return, name="circular-return"),
    path("circulars/<int:pk>/issue", views.circular_issue, name="circular-issue"),
    path("circulars/<int:pk>/approved-draft", views.circular_approved_draft, name="circular-approved-draft"),
    path("circulars/<int:pk>/signed-draft", views.circular_signed_draft, name="circular-signed-draft"),
    # circulars/<pk>/withdraw and /recall: acknowledgements.urls (they reach the units).
    path("circulars/<int:pk>/pdf", views.circular_pdf, name="circular-pdf"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    # Public: the address printed under the QR code of every issued circular.
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>", views.verify, name="verify"),
]
