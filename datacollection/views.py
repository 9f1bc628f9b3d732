from django.shortcuts import render


def collection_list(request):
    return render(request, "datacollection/collection_list.html")
