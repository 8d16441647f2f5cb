from django.shortcuts import render

from .models import Statement


def home(request):
    latest = Statement.objects.published().for_listing().newest_first()[:10]
    return render(request, "archive/home.html", {"latest": latest})
