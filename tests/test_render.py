"""Bodies render like Hugo's Goldmark, shortcodes resolve against the whole content tree,
raw HTML is sanitised and every URL is absolute."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from conftest import write_site
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import load_site
from syndicate.render import absolute_url


def body_of(site, slug: str) -> str:
    post = site.post_by_slug(slug)
    assert post is not None, [p.slug for p in site.posts]
    return post.body_html


def test_ref_and_relref_resolve_across_sections_with_hugo_permalinks(tmp_path):
    write_site(tmp_path, {
        "2020-01-01-target.md": "---\ntitle: Target\n---\nHello\n",
        "2020-01-02-links.md": """\
            ---
            title: Links
            ---
            [post]({{< ref "2020-01-01-target.md" >}}), [abs]({{< ref "/blog/2020-01-01-target.md" >}}),
            [lab]({{< ref "/labs/muenchen" >}}), [project]({{% relref "/projekte/kita.md#karte" %}}),
            [section]({{< ref "/projekte" >}}), [home]({{< ref "/" >}}).
            """,
    }, config='[site]\nbase_url = "https://codefor.de/"\n[content]\nsection_permalinks = { labs = "/:filename" }\n')
    (tmp_path / "content" / "labs").mkdir()
    (tmp_path / "content" / "labs" / "muenchen.md").write_text("---\ntitle: München\n---\n")
    (tmp_path / "content" / "projekte").mkdir()
    (tmp_path / "content" / "projekte" / "_index.md").write_text("---\ntitle: Projekte\n---\n")
    (tmp_path / "content" / "projekte" / "kita.md").write_text("---\ntitle: Kita\n---\n")
    site = load_site(tmp_path)
    html = body_of(site, "links")
    assert 'href="https://codefor.de/blog/target/"' in html
    assert html.count('href="https://codefor.de/blog/target/"') == 2
    assert 'href="https://codefor.de/muenchen/"' in html
    assert 'href="https://codefor.de/projekte/kita/#karte"' in html
    assert 'href="https://codefor.de/projekte/"' in html
    assert 'href="https://codefor.de/"' in html
    assert not site.diagnostics


def test_a_missing_ref_target_warns_and_links_the_best_guess(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": '---\ntitle: A\n---\n\nSee [K]({{< ref "/karlsruhe" >}}).\n'})
    site = load_site(tmp_path)
    assert 'href="https://blog.example.org/karlsruhe/"' in body_of(site, "a")
    warning, = map(str, site.diagnostics)
    assert warning.startswith('content/blog/2020-01-01-a.md:5: warning: {{< ref "/karlsruhe" >}}: no such page')


def test_figure_renders_as_hugo_renders_it_and_unknown_shortcodes_keep_their_inner_text(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        {{< headline-brackets-h1 color="blue" >}}
        Blog
        {{< /headline-brackets-h1 >}}

        {{< figure src="/blog/karte.png" caption="Die *Karte*" alt="Eine Karte" title="Titel" attr="OSM"
            attrlink="https://osm.org" link="/blog/gross.png" width="640" >}}

        {{< figure src="bild.jpg" caption="Nur **Text**" >}}

        Literal: {{</* figure src="x" */>}}
        """})
    site = load_site(tmp_path)
    html = body_of(site, "a")
    assert ('<figure><a href="https://blog.example.org/blog/gross.png"><img src="https://blog.example.org/blog/karte.png"'
            ' alt="Eine Karte" width="640"></a><figcaption><h4>Titel</h4><p>Die <em>Karte</em> '
            '<a href="https://osm.org">OSM</a></p></figcaption></figure>') in html
    assert ('<figure><img src="https://blog.example.org/blog/a/bild.jpg" alt="Nur Text"><figcaption>'
            '<p>Nur <strong>Text</strong></p></figcaption></figure>') in html
    assert "headline" not in html and "<p>Blog</p>" in html
    assert "Literal: {{&lt; figure src=" in html
    warning, = map(str, site.diagnostics)
    assert warning.startswith("content/blog/2020-01-01-a.md:4: warning: unknown shortcode 'headline-brackets-h1': "
                              "not built into Hugo and not in layouts/shortcodes/ or the theme's")


def test_a_video_becomes_a_link_with_its_thumbnail_and_says_what_and_where(tmp_path):
    write_site(tmp_path, {
        "2020-01-01-a.md": '---\ntitle: A\n---\n{{< youtube "90jnPXk3iCs" >}}\n',
        "2020-01-02-b.md": '---\ntitle: B\n---\n{{< youtube id="w7Ft2ymGmfc" title="Linkerd in 5 Minuten" >}}\n',
        "2020-01-03-c.md": '---\ntitle: C\n---\n{{< vimeo id=807731911 title="R-Universe Stars" >}}\n',
    })
    site = load_site(tmp_path)
    a, b, c = (body_of(site, slug) for slug in "abc")
    assert ('<a href="https://www.youtube.com/watch?v=90jnPXk3iCs"><img src="https://i.ytimg.com/vi/90jnPXk3iCs/'
            'hqdefault.jpg" alt="Watch the video"></a>') in a
    assert site.post_by_slug("a").summary == "Watch the video (video on YouTube)"
    assert '<a href="https://www.youtube.com/watch?v=w7Ft2ymGmfc">Linkerd in 5 Minuten</a> (video on YouTube)' in b
    assert c == '<p><a href="https://vimeo.com/807731911">R-Universe Stars</a> (video on Vimeo)</p>'
    assert "iframe" not in a + b + c and not site.diagnostics


def test_posts_gists_and_instagram_become_links(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        {{< x user="LiliCosic" id="1197335694856687616" >}}

        {{% tweet "1148252922272190464" %}}

        {{< gist spf13 7896402 "img.html" >}}

        {{< instagram BWNjjyYFxVx >}}
        """})
    html = body_of(load_site(tmp_path), "a")
    assert '<a href="https://x.com/LiliCosic/status/1197335694856687616">Post by @LiliCosic on X</a>' in html
    assert '<a href="https://x.com/i/status/1148252922272190464">Post on X</a>' in html
    assert '<a href="https://gist.github.com/spf13/7896402#file-img-html">Gist spf13/7896402: img.html</a>' in html
    assert '<a href="https://www.instagram.com/p/BWNjjyYFxVx/">Post on Instagram</a>' in html
    assert "script" not in html


def test_highlight_details_and_param(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        city: Köln
        lab:
          lead: Ada
        ---
        {{< highlight go "linenos=table" >}}
        if a < b { fmt.Println("{{") }
        {{< /highlight >}}

        {{< details summary="Mehr *dazu*" open=true >}}
        Ein [Link](/x/) im Inneren.
        {{< /details >}}

        In {{< param city >}} leitet {{< param "lab.lead" >}} das Lab von {{< param Organisation >}}.
        Fehlt: {{< param nothing >}}.
        """}, config='[site]\nbase_url = "https://blog.example.org/"\nparams = { organisation = "OKF" }\n')
    site = load_site(tmp_path)
    html = body_of(site, "a")
    assert '<pre><code class="language-go">if a &lt; b { fmt.Println("{{") }\n</code></pre>' in html
    assert ('<details open=""><summary>Mehr <em>dazu</em></summary>\n<p>Ein <a href="https://blog.example.org/x/">'
            'Link</a> im Inneren.</p>\n</details>') in html
    assert "In Köln leitet Ada das Lab von OKF." in html
    warning, = map(str, site.diagnostics)
    assert warning.startswith('content/blog/2020-01-01-a.md:16: warning: {{< param "nothing" >}}: no such parameter')


def test_percent_shortcodes_are_markdown_and_the_sites_own_keep_their_inner_content(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        {{% note %}}
        Ein **Hinweis** mit [Link]({{% relref "2020-01-02-b.md" %}}).
        {{% /note %}}

        {{< quote footer="Ada" >}}
        Zitat _hier_.
        {{< /quote >}}

        {{< webr-editor code=`x <- 1` >}}
        {{< webr-editor code=`y <- 2` />}}
        """, "2020-01-02-b.md": "---\ntitle: B\n---\nB\n"})
    (tmp_path / "layouts" / "shortcodes").mkdir(parents=True)
    (tmp_path / "layouts" / "shortcodes" / "note.html").write_text("<div>{{ .Inner }}</div>")
    (tmp_path / "layouts" / "shortcodes" / "webr-editor.html").write_text("<div></div>")
    (tmp_path / "themes" / "graphite" / "layouts" / "shortcodes").mkdir(parents=True)
    (tmp_path / "themes" / "graphite" / "layouts" / "shortcodes" / "quote.html").write_text("{{ .Inner }}")
    (tmp_path / "syndicate.toml").write_text('[site]\nbase_url = "https://blog.example.org/"\n'
                                             '[content]\nthemes = ["graphite"]\n')
    site = load_site(tmp_path)
    html = body_of(site, "a")
    assert 'Ein <strong>Hinweis</strong> mit <a href="https://blog.example.org/blog/b/">Link</a>.' in html
    assert "<p>Zitat <em>hier</em>.</p>" in html
    assert "webr" not in html and "x &lt;- 1" not in html
    warning, = map(str, site.diagnostics)
    assert warning.startswith("content/blog/2020-01-01-a.md:12: warning: shortcode 'webr-editor' is the site's own "
                              "(layouts/shortcodes/webr-editor.html)")
    assert warning.endswith("left out of the feed (2 uses)")


def test_enable_emoji_turns_codes_into_emoji_outside_code(tmp_path):
    post = "---\ntitle: A\n---\nLos :rocket: und :+1: :tada:, aber `:rocket:` und 10:30:00 :nosuchcode: bleiben.\n"
    write_site(tmp_path / "on", {"a.md": post})  # with a Hugo config a dated name stays in the slug
    (tmp_path / "on" / "hugo.toml").write_text("enableEmoji = true\n")
    write_site(tmp_path / "off", {"a.md": post})  # with a Hugo config a dated name stays in the slug
    on, off = body_of(load_site(tmp_path / "on"), "a"), body_of(load_site(tmp_path / "off"), "a")
    assert on == "<p>Los 🚀 und 👍 🎉, aber <code>:rocket:</code> und 10:30:00 :nosuchcode: bleiben.</p>"
    assert ":rocket: und :+1: :tada:" in off


def test_raw_html_is_left_out_as_hugo_does_unless_the_hugo_config_allows_it(tmp_path):
    post = '---\ntitle: A\n---\n<div class="box">Kasten</div>\n\nText <b>fett</b>.\n'
    write_site(tmp_path / "default", {"a.md": post})  # with a Hugo config a dated name stays in the slug
    (tmp_path / "default" / "hugo.toml").write_text("title = 'T'\n")
    write_site(tmp_path / "unsafe", {"a.md": post})  # with a Hugo config a dated name stays in the slug
    (tmp_path / "unsafe" / "hugo.toml").write_text("[markup.goldmark.renderer]\nunsafe = true\n")
    assert body_of(load_site(tmp_path / "default"), "a") == "<p>Text fett.</p>"
    assert body_of(load_site(tmp_path / "unsafe"), "a") == '<div class="box">Kasten</div>\n<p>Text <b>fett</b>.</p>'


def test_headings_get_hugos_ids(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        # Über uns & die *Labs*!

        ## Über uns & die *Labs*!

        ## Tibble output {#tibble}
        """})
    html = body_of(load_site(tmp_path), "a")
    assert '<h1 id="über-uns--die-labs">Über uns &amp; die <em>Labs</em>!</h1>' in html
    assert '<h2 id="über-uns--die-labs-1">' in html
    assert '<h2 id="tibble">Tibble output</h2>' in html


def test_raw_html_is_sanitised_and_iframes_become_links(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        <script>alert("x")</script>
        <p onclick="evil()" style="color:red">Text <a href="javascript:alert(1)">bad</a></p>

        <iframe src="https://www.youtube.com/embed/abc" title="Das Video"></iframe>
        """})
    html = body_of(load_site(tmp_path), "a")
    assert "script" not in html and "alert" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert '<a href="https://www.youtube.com/embed/abc">Das Video</a>' in html
    assert "<iframe" not in html


def test_every_relative_url_becomes_absolute(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        [root](/blog/other/) [rel](../nachbar/) [same](bild.jpg) [anchor](#teil) [mail](mailto:a@b.org)

        ![photo](/blog/photo.jpg)

        <img src="local.png" srcset="small.png 1x, /big.png 2x">
        """})
    html = body_of(load_site(tmp_path), "a")
    assert 'href="https://blog.example.org/blog/other/"' in html
    assert 'href="https://blog.example.org/blog/nachbar/"' in html
    assert 'href="https://blog.example.org/blog/a/bild.jpg"' in html
    assert 'href="https://blog.example.org/blog/a/#teil"' in html
    assert 'href="mailto:a@b.org"' in html
    assert 'src="https://blog.example.org/blog/photo.jpg"' in html
    assert 'srcset="https://blog.example.org/blog/a/small.png 1x, https://blog.example.org/big.png 2x"' in html


def test_goldmark_extensions_tables_strikethrough_autolinks(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        | Stadt | Labs |
        |---|---|
        | Köln | 1 |

        ~~alt~~ neu, siehe https://codefor.de und www.okfn.de.
        """})
    html = body_of(load_site(tmp_path), "a")
    assert "<table>" in html and "<td>Köln</td>" in html
    assert "<del>alt</del>" in html  # Goldmark writes <del>
    assert '<a href="https://codefor.de">https://codefor.de</a>' in html
    assert '<a href="https://www.okfn.de">www.okfn.de</a>' in html  # Goldmark: https


def test_summary_is_the_excerpt_as_plain_text_else_the_first_paragraph(tmp_path):
    write_site(tmp_path, {
        "2020-01-01-a.md": "---\ntitle: A\nexcerpt: Mit **fett** und [Link](/x/).\n---\nErster.\n",
        "2020-01-02-b.md": "---\ntitle: B\n---\n# Überschrift\n\nDer *erste* Absatz &amp; mehr.\n\nZweiter.\n",
    })
    site = load_site(tmp_path)
    assert site.post_by_slug("a").summary == "Mit fett und Link."
    assert site.post_by_slug("b").summary == "Der erste Absatz & mehr."


def test_data_urls_are_kept_only_for_inline_images(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klick</a>
        <img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">
        """})
    html = body_of(load_site(tmp_path), "a")
    assert "data:text/html" not in html and "<a>klick</a>" in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html


URL_PIECES = st.sampled_from(["/", "../", "./", "a.b", "x", ":", "?", "#", ";", "[", "]", "%2F", " ", "\t", "é", "8080",
                              "@", "..", "//", "mailto:", "HTTP://"])
URL_STARTS = st.sampled_from(["https://x.org", "http://x.org:80", "https://", "HTTP://x.org", "//", "#", "/", "",
                              "mailto:", " https://x.org"])
PAGE_URLS = st.sampled_from(["https://x.org/blog/a/", "http://x.org/blog/a/", "https://x.org/blog/a.html",
                             "https://x.org/a?q=1#f", "https://x.org/a;p"])


@settings(max_examples=1000)
@given(st.tuples(URL_STARTS, st.lists(URL_PIECES, max_size=6).map("".join)).map("".join), PAGE_URLS)
def test_the_fast_paths_of_absolute_urls_give_exactly_what_urljoin_gives(value, page_url):
    def with_urljoin(value: str, base: str) -> str:  # what every URL went through before the fast paths
        value = value.strip()
        if not value or urlsplit(value).scheme in ("mailto", "tel", "data"):
            return value
        return urljoin(base, value)

    try:
        expected = with_urljoin(value, page_url)
    except ValueError:  # urljoin refuses a broken IPv6 host; so must the fast path
        with pytest.raises(ValueError):
            absolute_url(value, page_url)
        return
    assert absolute_url(value, page_url) == expected


def test_a_ref_finds_a_section_moved_by_its_index_page_and_posts_in_every_markdown_extension(tmp_path):
    """The page index uses what the loader knows: the section's URL as its _index page sets it, and
    every extension (any case) the content tree publishes."""
    write_site(tmp_path, {
        "_index.md": "---\ntitle: Artikel\nurl: /articles/\n---\n",
        "2020-01-01-a.md": '---\ntitle: A\n---\n\n[All]({{< ref "/blog" >}}) [B]({{< ref "blog/b.mdown" >}}) '
                           '[C]({{< ref "blog/c.MD" >}})\n',
        "b.mdown": "---\ntitle: B\nslug: b\ndate: 2020-01-02\n---\nB\n",
        "c.MD": "---\ntitle: C\nslug: c\ndate: 2020-01-03\n---\nC\n",
    })
    site = load_site(tmp_path)
    html = body_of(site, "a")
    assert 'href="https://blog.example.org/articles/"' in html
    assert 'href="https://blog.example.org/blog/b/"' in html and 'href="https://blog.example.org/blog/c/"' in html
    assert not [d for d in site.diagnostics if "no such page" in d.message]
