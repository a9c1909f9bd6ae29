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
public sealed record SpecSource(SpecSourceKind Kind, string Value)
{
    public static SpecSource Inline(string document) => new(SpecSourceKind.Inline, document);

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
