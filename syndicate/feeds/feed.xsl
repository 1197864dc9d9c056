<?xml version="1.0" encoding="UTF-8"?>
<!-- syndicate: shows an Atom or RSS feed as a readable page in a browser (XSLT 1.0, which every
     browser runs). Feed readers ignore it: the feed itself is unchanged. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:fh="http://purl.org/syndication/history/1.0"
    exclude-result-prefixes="atom dc fh">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="lang" select="string(/atom:feed/@xml:lang | /rss/channel/language)"/>
  <xsl:variable name="de" select="starts-with($lang, 'de')"/>
  <xsl:variable name="self" select="string(/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href)"/>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="/atom:feed/atom:title | /rss/channel/title"/></title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
          .about { background: #fff6d6; border-left: 4px solid #e0b000; padding: .75rem 1rem; }
          .about code { word-break: break-all; }
          h1 { margin-bottom: .25rem; }
          .subtitle { color: #555; margin-top: 0; }
          article { border-top: 1px solid #ddd; padding: .75rem 0; }
          article h2 { font-size: 1.15rem; margin: 0; }
          .meta { color: #666; font-size: .9rem; }
          .tags span { background: #eef; border-radius: 3px; padding: 0 .3rem; margin-right: .3rem; font-size: .85rem; }
          nav a { margin-right: 1rem; }
        </style>
      </head>
      <body>
        <p class="about">
          <xsl:choose>
            <xsl:when test="$de">Dies ist ein Web-Feed. Kopiere die Adresse <code><xsl:value-of select="$self"/></code> in deinen Feed-Reader, um neue Beiträge zu abonnieren.</xsl:when>
            <xsl:otherwise>This is a web feed. Copy its address <code><xsl:value-of select="$self"/></code> into your feed reader to subscribe to new posts.</xsl:otherwise>
          </xsl:choose>
          <xsl:if test="/atom:feed/fh:archive | /rss/channel/fh:archive">
            <xsl:text> </xsl:text>
            <xsl:choose>
              <xsl:when test="$de">Diese Seite ist ein Archiv älterer Beiträge.</xsl:when>
              <xsl:otherwise>This page is an archive of older posts.</xsl:otherwise>
            </xsl:choose>
          </xsl:if>
        </p>
        <xsl:apply-templates select="atom:feed | rss/channel"/>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h1>
    <p class="subtitle"><xsl:value-of select="atom:subtitle"/></p>
    <xsl:call-template name="history">
      <xsl:with-param name="links" select="atom:link"/>
    </xsl:call-template>
    <xsl:for-each select="atom:entry">
      <article>
        <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
        <div class="meta">
          <xsl:value-of select="substring(atom:published, 1, 10)"/> · <xsl:value-of select="atom:author/atom:name"/>
        </div>
        <p><xsl:value-of select="atom:summary"/></p>
        <div class="tags"><xsl:for-each select="atom:category"><span><xsl:value-of select="@term"/></span></xsl:for-each></div>
      </article>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="channel">
    <h1><a href="{link}"><xsl:value-of select="title"/></a></h1>
    <p class="subtitle"><xsl:value-of select="description"/></p>
    <xsl:call-template name="history">
      <xsl:with-param name="links" select="atom:link"/>
    </xsl:call-template>
    <xsl:for-each select="item">
      <article>
        <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
        <div class="meta">
          <xsl:value-of select="substring(pubDate, 1, 16)"/> · <xsl:value-of select="dc:creator"/>
        </div>
        <p><xsl:value-of select="description"/></p>
        <div class="tags"><xsl:for-each select="category"><span><xsl:value-of select="."/></span></xsl:for-each></div>
      </article>
    </xsl:for-each>
  </xsl:template>

  <!-- RFC 5005 links between the current feed and its archive pages -->
  <xsl:template name="history">
    <xsl:param name="links"/>
    <xsl:if test="$links[@rel='current' or @rel='prev-archive' or @rel='next-archive']">
      <nav>
        <xsl:for-each select="$links[@rel='current']">
          <a href="{@href}"><xsl:choose><xsl:when test="$de">Neueste Beiträge</xsl:when><xsl:otherwise>Newest posts</xsl:otherwise></xsl:choose></a>
        </xsl:for-each>
        <xsl:for-each select="$links[@rel='next-archive']">
          <a href="{@href}"><xsl:choose><xsl:when test="$de">← Neuere</xsl:when><xsl:otherwise>← Newer</xsl:otherwise></xsl:choose></a>
        </xsl:for-each>
        <xsl:for-each select="$links[@rel='prev-archive']">
          <a href="{@href}"><xsl:choose><xsl:when test="$de">Ältere →</xsl:when><xsl:otherwise>Older →</xsl:otherwise></xsl:choose></a>
        </xsl:for-each>
      </nav>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
