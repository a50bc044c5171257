from django.urls import path

from acknowledgements import assignment_views, register_views, views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    # Withdrawing an issued circular recalls it, which reaches every unit: both live here.
    path("circulars/<int:pk>/withdraw", views.circular_withdraw, name="circular-withdraw"),
    path("circulars/<int:pk>/recall", views.circular_recall, name="circular-recall"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/acknowledge", views.delivery_acknowledge, name="delivery-acknowledge"),
    path("deliveries/<int:pk>/refuse", views.delivery_refuse, name="delivery-refuse"),
    path("deliveries/<int:pk>/report/", views.delivery_report, name="delivery-report"),
    path("assignments/<int:pk>/", assignment_views.assignment_detail, name="assignment-detail"),
    path("assignments/<int:pk>/notes/", assignment_views.assignment_note, name="assignment-note"),
    path("assignments/<int:pk>/complete/", assignment_views.assignment_complete, name="assignment-complete"),
    # The dispatch's page has the handling panel; presenting and assigning reach the units.
    path("incoming/<int:pk>/", assignment_views.incoming_detail, name="incoming-detail"),
    path("incoming/<int:pk>/present/", assignment_views.incoming_present, name="incoming-present"),
    path("incoming/<int:pk>/assign/", assignment_views.incoming_assign, name="incoming-assign"),
    # Each unit's own incoming register (Decree 30 Art. 22).
    path("unit-register/", register_views.my_unit_register, name="my-unit-register"),
    path("units/<slug:key>/register/", register_views.unit_register, name="unit-register"),
    path("units/<slug:key>/register/export.xlsx", register_views.unit_register_export, name="unit-register-export"),
    path("units/<slug:key>/register/print.pdf", register_views.unit_register_print, name="unit-register-print"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    # Public: the one-click link in the email (it opens a confirmation page; only its POST acknowledges).
    path("ack/<str:token>/", views.ack_link, name="ack-link"),
]
