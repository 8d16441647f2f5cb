"""Related statements: a search-app page and fragment that the statement page links to."""

import pytest
from django.urls import reverse

from archive import services
from search.testing import fresh_index, index_now

from .factories import StatementFactory

pytestmark = pytest.mark.django_db

SHARED = (
    "Border management cooperation against terrorist travel needs customs data exchange, "
    "joint patrols and capacity building for border agencies in the region."
)


@pytest.fixture
def statements():
    fresh_index()
    target = StatementFactory(title="Target statement", body=SHARED + "\n\nTarget words.")
    neighbour = StatementFactory(title="Neighbour statement", body=SHARED + "\n\nOther words.")
    draft = StatementFactory(title="Private neighbour", body=SHARED, draft=True)
    unrelated = StatementFactory(
        title="Unrelated statement", body="Fisheries quotas and fishing fleets in the north."
    )
    services.announce_statements([s.pk for s in (target, neighbour, draft, unrelated)])
    index_now()
    return target, neighbour, draft, unrelated


def test_the_fragment_lists_published_neighbours_only(client, statements):
    target, neighbour, draft, _unrelated = statements
    url = reverse("search:related", args=[target.slug]) + "?fragment=1"
    body = client.get(url).content.decode()
    assert neighbour.get_absolute_url() in body
    assert target.get_absolute_url() not in body
    assert "Private neighbour" not in body
    assert "<html" not in body  # the fragment alone, for the statement page's script


def test_the_page_works_without_scripts(client, statements):
    target, neighbour, *_ = statements
    response = client.get(reverse("search:related", args=[target.slug]))
    assert response.status_code == 200
    assert neighbour.title in response.content.decode()


def test_a_draft_has_no_related_page(client, statements):
    _target, _neighbour, draft, _unrelated = statements
    response = client.get(reverse("search:related", args=[draft.slug]))
    assert response.status_code == 404


def test_the_statement_page_links_to_related_without_touching_the_index(client, statements):
    target, *_ = statements
    response = client.get(target.get_absolute_url())
    related_url = reverse("search:related", args=[target.slug])
    assert f'href="{related_url}"' in response.content.decode()
    assert "js/related.js" in response.content.decode()
