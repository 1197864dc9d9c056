"""Bodies render like Hugo's Goldmark, shortcodes resolve against the whole content tree,
raw HTML is sanitised and every URL is absolute."""

from __future__ import annotations

from conftest import write_site

from syndicate import load_site


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


def test_figure_becomes_figure_and_unknown_shortcodes_are_removed_with_a_warning(tmp_path):
    write_site(tmp_path, {"2020-01-01-a.md": """\
        ---
        title: A
        ---
        {{< headline-brackets-h1 color="blue" >}}
        Blog
        {{< /headline-brackets-h1 >}}

        {{< figure src="/blog/karte.png" caption="Die Karte" alt="Eine Karte" >}}

        Literal: {{</* figure src="x" */>}}
        """})
    site = load_site(tmp_path)
    html = body_of(site, "a")
    assert ('<figure><img src="https://blog.example.org/blog/karte.png" alt="Eine Karte">'
            '<figcaption>Die Karte</figcaption></figure>') in html
    assert "headline" not in html and "Blog" in html
    assert "Literal: {{&lt; figure src=" in html
    warning, = map(str, site.diagnostics)
    assert warning == ("content/blog/2020-01-01-a.md:4: warning: unknown shortcode 'headline-brackets-h1' "
                       "removed (syndicate knows ref, relref, figure)")


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
    assert "<s>alt</s>" in html
    assert '<a href="https://codefor.de">https://codefor.de</a>' in html
    assert '<a href="http://www.okfn.de">www.okfn.de</a>' in html


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
