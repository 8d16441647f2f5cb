from django.http import HttpResponse


def search(request):
    # Placeholder until the search issue lands; the URL name is the contract.
    return HttpResponse("Search is not built yet.", status=503, content_type="text/plain")
