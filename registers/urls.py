from django.urls import path

from registers import views

urlpatterns = [
    path("incoming/", views.incoming_list, name="incoming-list"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming-export"),
    path("incoming/print.pdf", views.incoming_print, name="incoming-print"),
    path("outgoing/", views.outgoing_list, name="outgoing-list"),
    path("outgoing/export.xlsx", views.outgoing_export, name="outgoing-export"),
    path("outgoing/print.pdf", views.outgoing_print, name="outgoing-print"),
    path("registers/", views.registers_page, name="registers"),
    path("registers/<str:kind>/restart", views.register_restart, name="register-restart"),
    path("calendar/no-swaps", views.calendar_no_swaps, name="calendar-no-swaps"),
]
