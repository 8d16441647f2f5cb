"""Staff see who follows what (the only personal data kept is the address) and can remove an
address with everything it follows, e.g. when its owner asks.  Subscriptions are started and
confirmed only by their owners, from the links in the mail, so the admin creates none."""

from django.contrib import admin

from .models import SentStatement, Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = True
    fields = ("label", "frequency", "created_at", "confirmed_at", "last_sent_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "created_at", "subscription_count")
    search_fields = ("email",)
    readonly_fields = ("email", "created_at")
    inlines = [SubscriptionInline]

    @admin.display(description="subscriptions")
    def subscription_count(self, obj):
        return obj.subscriptions.count()

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "label", "frequency", "confirmed_at", "last_sent_at")
    list_filter = ("frequency", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("subscriber__email", "label", "query")
    list_select_related = ("subscriber",)
    readonly_fields = ("subscriber", "query", "label", "created_at", "confirmation_sent_at",
                       "confirmed_at", "checked_until", "last_sent_at")
    fields = ("subscriber", "label", "query", "frequency", *readonly_fields[3:])

    def has_add_permission(self, request):
        return False


@admin.register(SentStatement)
class SentStatementAdmin(admin.ModelAdmin):
    list_display = ("subscription", "statement", "sent_at")
    list_select_related = ("subscription__subscriber", "statement")
    raw_id_fields = ("subscription", "statement")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
