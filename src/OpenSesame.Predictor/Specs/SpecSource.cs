namespace OpenSesame.Predictor.Specs;

public enum SpecSourceKind
{
    /// <summary>An http(s) URL, downloaded and cached.</summary>
    Url,

    /// <summary>A file inside one of the configured spec folders.</summary>
    File,

    /// <summary>The document itself, sent with the request.</summary>
    Inline,
}

/// <summary>Where a request's spec comes from.</summary>
/// <param name="Value">The URL, the file's path, or an inline document's content hash.</param>
public sealed record SpecSource(SpecSourceKind Kind, string Value)
{
    /// <summary>The document of an <see cref="SpecSourceKind.Inline"/> source.</summary>
    public InlineSpec? Document { get; private init; }

    /// <summary>A document's text, as a caller in the same process has it.</summary>
    public static SpecSource Inline(string document) => Inline(InlineSpec.FromText(document));

    public static SpecSource Inline(InlineSpec document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new SpecSource(SpecSourceKind.Inline, document.ContentHash) { Document = document };
    }

    /// <summary>
    /// An http(s) URL is downloaded; a <c>file:</c> URI or a plain path names a file inside the spec folders.
    /// Returns null (with a reason) for anything else, e.g. <c>ftp:</c>.
    /// </summary>
    public static SpecSource? FromLocation(string location, out string? error)
    {
        error = null;
        var trimmed = location.Trim();
        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1)
        {
            if (uri.Scheme is "http" or "https")
            {
                return new SpecSource(SpecSourceKind.Url, uri.AbsoluteUri);
            }

            if (uri.Scheme == "file")
            {
                return new SpecSource(SpecSourceKind.File, uri.LocalPath);
            }

            error = $"scheme '{uri.Scheme}' is not supported; use http, https, or a file path inside the spec folders";
            return null;
        }

        return new SpecSource(SpecSourceKind.File, trimmed);
    }
}
