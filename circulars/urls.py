from django.urls import path

from circulars import register_views, views

urlpatterns = [
    path("incoming/", views.incoming_list, name="incoming-list"),
    path("incoming/new/", views.incoming_new, name="incoming-new"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming-export"),
    path("incoming/print.pdf", register_views.incoming_print, name="incoming-print"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming-detail"),
    path("outgoing/", register_views.outgoing_list, name="outgoing-list"),
    path("outgoing/export.xlsx", register_views.outgoing_export, name="outgoing-export"),
    path("outgoing/print.pdf", register_views.outgoing_print, name="outgoing-print"),
    path("circulars/", views.circular_list, name="circular-list"),
    path("circulars/new/", views.circular_new, name="circular-new"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular-detail"),
    path("circulars/<int:pk>/edit/", views.circular_edit, name="circular-edit"),
    path("circulars/<int:pk>/submit", views.circular_submit, name="circular-submit"),
    path("circulars/<int:pk>/approve", views.circular_approve, name="circular-approve"),
    path("circulars/<int:pk>/return", views.circular_return, name="circular-return"),
    path("circulars/<int:pk>/issue", views.circular_issue, name="circular-issue"),
    # circulars/<pk>/withdraw and /recall: acknowledgements.urls (they reach the units).
    path("circulars/<int:pk>/pdf", views.circular_pdf, name="circular-pdf"),
    path("registers/", views.registers_page, name="registers"),
    path("registers/<str:kind>/restart", views.register_restart, name="register-restart"),
    path("calendar/no-swaps", views.calendar_no_swaps, name="calendar-no-swaps"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    # Public: the address printed under the QR code of every issued circular.
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>", views.verify, name="verify"),
]
