from django.shortcuts import render


def question_list(request):
    return render(request, "forum/question_list.html")
