using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>A proposed call mapped onto an operation of the spec.</summary>
/// <param name="Repair">What was corrected, in words ("method PUT → PATCH"); null when the call named the operation
/// as written.</param>
/// <param name="PathValues">Values the concrete path carried, by the operation's parameter names.</param>
/// <param name="RenamedParameters">Placeholder names the proposal used → the operation's names for the same slots.</param>
internal sealed record RepairedCall(ApiOperation Operation, string? Repair, IReadOnlyDictionary<string, string> PathValues,
    IReadOnlyDictionary<string, string> RenamedParameters);

/// <summary>
/// Maps a proposed "METHOD /path" onto the catalog, repairing the near misses generators (LLMs above all) make:
/// a missing or extra base path, a misnamed path parameter, one wrong, extra or missing literal segment, a wrong
/// method on a real path. A repair is made only when exactly one operation fits; anything ambiguous or far from every
/// operation is dropped (null), because a guessed operation is worse than none.
/// </summary>
internal static partial class OperationRepair
{
    public static RepairedCall? Resolve(EndpointCatalog catalog, string method, string path)
    {
        method = method.ToUpperInvariant();
        var variants = Variants(catalog, PathShape.SplitPath(PathRules.NormalizePath(path)));

        // The matcher knows the spec best (literal segments over parameters, mixed segments, slash-holding ids), so it
        // decides whether the path is a spec path; the repairs start where it gives up.
        PathMatch? onPath = null;
        foreach (var (segments, _) in variants)
        {
            var match = catalog.Matcher.Match(method, "/" + string.Join('/', segments));
            if (match is { Kind: MatchKind.Exact, Operation: { } exact })
            {
                return Explain(exact, variants, match, []);
            }

            if (match.Kind == MatchKind.Path && onPath is null)
            {
                onPath = match;
            }
        }

        if (onPath?.Shape is { } shape)
        {
            return OtherMethod(method, catalog.Matcher.OperationsOn(shape), shape) is { } chosen
                ? Explain(chosen, variants, onPath, [$"method {method} → {chosen.Method}"])
                : null;
        }

        return OneSegmentOff(method, catalog, variants);
    }

    /// <summary>The path as written first, then with each base path removed (when it has it) or added.</summary>
    private static List<Variant> Variants(EndpointCatalog catalog, IReadOnlyList<string> segments)
    {
        var variants = new List<Variant> { new(segments, null) };
        foreach (var basePath in catalog.Matcher.BasePaths.All)
        {
            var (variant, removed) = PathRules.WithOrWithoutBasePath(segments, basePath, bareIsRoot: false);
            variants.Add(new Variant(variant, $"base path {basePath} {(removed ? "removed" : "added")}"));
        }

        return variants;
    }

    // A real path with an undeclared method: its only operation, or the one update method it has (PUT, PATCH, and POST
    // on an item path, where specs like Stripe's update with it). A repair never turns a call into a deletion, nor a
    // deletion into a call that destroys nothing: that would change what the user is asked to approve.
    private static ApiOperation? OtherMethod(string method, IReadOnlyList<ApiOperation> operations, PathShape shape)
    {
        var fits = operations.Count == 1
            ? operations
            : IsUpdate(method, shape) ? operations.Where(o => IsUpdate(o.Method, shape)).ToList() : [];
        if (fits.Count != 1)
        {
            return null;
        }

        var chosen = fits[0];
        var deletion = method == "DELETE";
        return chosen.Method == "DELETE" || (deletion && !chosen.IsDestructive) ? null : chosen;
    }

    private static bool IsUpdate(string method, PathShape shape) =>
        method is "PUT" or "PATCH" || (method == "POST" && shape.EndsWithParameter);

    private static RepairedCall? OneSegmentOff(string method, EndpointCatalog catalog, List<Variant> variants)
    {
        ApiOperation? best = null;
        Variant bestVariant = default;
        Alignment? bestAlignment = null;
        var ambiguous = false;
        foreach (var operation in catalog.Operations.Where(o => o.Method == method))
        {
            // The closest variant explains this operation; on a tie, the earlier one (as written before base paths).
            Variant variant = default;
            Alignment? alignment = null;
            foreach (var candidate in variants)
            {
                if (Math.Abs(candidate.Segments.Count - operation.Path.Segments.Count) <= 1
                    && Align(candidate.Segments, operation.Path.Segments) is { } fit
                    && (alignment is null || fit.Distance < alignment.Distance))
                {
                    (variant, alignment) = (candidate, fit);
                }
            }

            if (alignment is null)
            {
                continue;
            }

            if (best is null || alignment.Distance < bestAlignment!.Distance)
            {
                (best, bestVariant, bestAlignment, ambiguous) = (operation, variant, alignment, false);
            }
            else if (alignment.Distance == bestAlignment.Distance)
            {
                ambiguous = true;
            }
        }

        if (best is null || ambiguous)
        {
            return null;
        }

        var notes = new List<string>();
        if (bestVariant.Note is not null)
        {
            notes.Add(bestVariant.Note);
        }

        if (bestAlignment!.Note is not null)
        {
            notes.Add(bestAlignment.Note);
        }

        return Describe(best, bestVariant.Segments, bestAlignment, notes, fallbackValues: null);
    }

    private static RepairedCall Explain(ApiOperation operation, List<Variant> variants, PathMatch match, List<string> notes)
    {
        foreach (var variant in variants)
        {
            if (Align(variant.Segments, operation.Path.Segments) is { Distance: 0 } alignment)
            {
                if (variant.Note is not null)
                {
                    notes.Insert(0, variant.Note);
                }

                return Describe(operation, variant.Segments, alignment, notes, match.PathValues);
            }
        }

        // Matched through a shape segment alignment does not model (an id holding slashes): the matcher's values stand.
        return new RepairedCall(operation, Join(notes), OwnValues(operation, match.PathValues), new Dictionary<string, string>());
    }

    private static RepairedCall Describe(ApiOperation operation, IReadOnlyList<string> proposed, Alignment alignment,
        List<string> notes, IReadOnlyDictionary<string, string>? fallbackValues)
    {
        var template = operation.Path.Segments;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (p, o) in alignment.Pairs)
        {
            var segment = proposed[p];
            var slot = template[o];
            if (!PathShape.IsParameter(slot))
            {
                if (IsLiteral(segment) && !string.Equals(segment, slot, StringComparison.OrdinalIgnoreCase) && SameSpelling(segment, slot))
                {
                    notes.Add($"segment '{Quote(segment)}' → '{slot}'");
                }

                continue;
            }

            if (PathShape.IsParameter(segment))
            {
                // A placeholder is a slot, never a value; only its name may differ from the spec's.
                foreach (var (theirs, ours) in PathShape.ParameterNames(segment).Zip(PathShape.ParameterNames(slot)))
                {
                    if (theirs != ours)
                    {
                        renamed[theirs] = ours;
                        notes.Add($"path parameter {{{Quote(theirs)}}} → {{{ours}}}");
                    }
                }
            }
            else if (PathRules.IsPureParameter(slot))
            {
                values[PathShape.ParameterNames(slot).First()] = Uri.UnescapeDataString(segment);
            }
        }

        foreach (var (name, value) in OwnValues(operation, fallbackValues))
        {
            values.TryAdd(name, value);
        }

        return new RepairedCall(operation, Join(notes), values, renamed);
    }

    // The matcher names values after the first template of a shape; another operation on it may spell them otherwise.
    private static Dictionary<string, string> OwnValues(ApiOperation operation, IReadOnlyDictionary<string, string>? values) =>
        values is null
            ? []
            : values.Where(v => operation.Path.Slots.Any(s => s.Name == v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static string? Join(List<string> notes) => notes.Count == 0 ? null : string.Join("; ", notes);

    /// <param name="Pairs">Positions of the proposal and the template that stand for each other.</param>
    private sealed record Alignment(int Distance, string? Note, List<(int Proposed, int Template)> Pairs);

    // Segment-level edit distance of at most one, where the one edit may only touch a literal segment: a literal
    // replaced by a similar one, an extra one dropped or a missing one added, never the last segment (which says
    // what the call does: "/invoices/{id}/approve" is not "/invoices/{id}").
    private static Alignment? Align(IReadOnlyList<string> proposed, IReadOnlyList<string> template)
    {
        if (proposed.Count == template.Count)
        {
            var wrong = -1;
            for (var i = 0; i < proposed.Count; i++)
            {
                if (!Equivalent(proposed[i], template[i]))
                {
                    if (wrong >= 0)
                    {
                        return null;
                    }

                    wrong = i;
                }
            }

            var pairs = Enumerable.Range(0, proposed.Count).Select(i => (i, i)).ToList();
            if (wrong < 0)
            {
                return new Alignment(0, null, pairs);
            }

            return IsLiteral(proposed[wrong]) && IsLiteral(template[wrong]) && Similar(proposed[wrong], template[wrong])
                ? new Alignment(1, $"segment '{Quote(proposed[wrong])}' → '{template[wrong]}'", pairs)
                : null;
        }

        if (proposed.Count == template.Count + 1)
        {
            for (var extra = 0; extra < proposed.Count - 1; extra++)
            {
                var segment = proposed[extra];
                if (IsLiteral(segment) && !LooksLikeValue(segment)
                    && SkipOne(proposed, extra, template, longerIsProposal: true) is { } pairs && HasAnchor(proposed, template, pairs)
                    && (IsNoise(segment) || !ValueAfter(proposed, template, pairs, extra, proposedSide: true)))
                {
                    return new Alignment(1, $"segment '{Quote(segment)}' removed", pairs);
                }
            }
        }
        else if (proposed.Count + 1 == template.Count)
        {
            for (var missing = 0; missing < template.Count - 1; missing++)
            {
                if (IsLiteral(template[missing])
                    && SkipOne(template, missing, proposed, longerIsProposal: false) is { } swapped
                    && swapped.Select(p => (p.Item2, p.Item1)).ToList() is var pairs && HasAnchor(proposed, template, pairs)
                    && (IsNoise(template[missing]) || !ValueAfter(proposed, template, pairs, missing, proposedSide: false)))
                {
                    return new Alignment(1, $"segment '{template[missing]}' added", pairs);
                }
            }
        }

        return null;
    }

    // Aligns `longer` without its segment at `skip` onto `shorter`; pairs are (longer index, shorter index).
    private static List<(int, int)>? SkipOne(IReadOnlyList<string> longer, int skip, IReadOnlyList<string> shorter,
        bool longerIsProposal)
    {
        var pairs = new List<(int, int)>(shorter.Count);
        for (int i = 0, j = 0; i < longer.Count; i++)
        {
            if (i == skip)
            {
                continue;
            }

            var fits = longerIsProposal ? Equivalent(longer[i], shorter[j]) : Equivalent(shorter[j], longer[i]);
            if (!fits)
            {
                return null;
            }

            pairs.Add((i, j++));
        }

        return pairs;
    }

    // A resource word added or dropped before a concrete id would change what the id identifies ("/me/albums/x" is not
    // the album "x"); before placeholders only, or as a version or "api" segment, it changes nothing the call carries.
    private static bool ValueAfter(IReadOnlyList<string> proposed, IReadOnlyList<string> template,
        List<(int Proposed, int Template)> pairs, int edited, bool proposedSide) =>
        pairs.Any(p => (proposedSide ? p.Proposed : p.Template) > edited
                       && IsLiteral(proposed[p.Proposed]) && PathShape.IsParameter(template[p.Template]));

    private static bool IsNoise(string segment) => PathShape.Parse("/" + segment).Resources.Count == 0;

    // An insertion or deletion alone proves nothing about closeness; a shared resource segment does.
    private static bool HasAnchor(IReadOnlyList<string> proposed, IReadOnlyList<string> template, List<(int Proposed, int Template)> pairs) =>
        pairs.Any(p => IsLiteral(template[p.Template]) && IsLiteral(proposed[p.Proposed])
                       && PathShape.Parse("/" + template[p.Template]).Resources.Count > 0);

    private static bool Equivalent(string proposed, string template)
    {
        var proposedSlot = PathShape.IsParameter(proposed);
        var templateSlot = PathShape.IsParameter(template);
        if (proposedSlot)
        {
            // "{id}" stands for "{invoice}"; it is never a concrete value and never a literal segment.
            return templateSlot && (PathRules.IsPureParameter(proposed) && PathRules.IsPureParameter(template)
                                    || PathRules.SegmentShape(proposed) == PathRules.SegmentShape(template));
        }

        if (!templateSlot)
        {
            return SameSpelling(proposed, template);
        }

        return PathRules.IsPureParameter(template) || FitsMixed(proposed, template);
    }

    // "lineItems", "line-items" and "LINE_ITEMS" spell the spec's "line_items".
    private static bool SameSpelling(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || (SameLettersAndDigits(a, b) && Tokenizer.Words(a) is { Count: > 0 } words && words.SequenceEqual(Tokenizer.Words(b)));

    // Words can only match when the letters and digits do; this settles most comparisons without allocating.
    private static bool SameLettersAndDigits(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && !char.IsLetterOrDigit(a[i]))
            {
                i++;
            }

            while (j < b.Length && !char.IsLetterOrDigit(b[j]))
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (char.ToLowerInvariant(a[i++]) != char.ToLowerInvariant(b[j++]))
            {
                return false;
            }
        }
    }

    // "in_1.pdf" fits "{id}.{format}" when the literal parts of the template appear in order.
    private static bool FitsMixed(string value, string template)
    {
        var parts = PathRules.Placeholder().Split(template);
        var at = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                continue;
            }

            var found = i == 0
                ? (value.StartsWith(part, StringComparison.Ordinal) ? 0 : -1)
                : value.IndexOf(part, at, StringComparison.Ordinal);
            if (found < 0 || (i == parts.Length - 1 && !value.EndsWith(part, StringComparison.Ordinal)))
            {
                return false;
            }

            at = found + part.Length;
        }

        return true;
    }

    // Close enough for the proposal `a` to be the spec's `b` misspelled: the same stemmed words ("invoice" / "invoices"),
    // an abbreviation whose words are all in the spec's name ("lines" / "line_items"), a typo, or two version segments.
    private static bool Similar(string a, string b)
    {
        var wordsA = Tokenizer.Words(a).Select(Tokenizer.Stem).ToList();
        var wordsB = Tokenizer.Words(b).Select(Tokenizer.Stem).ToList();
        if (wordsA.Count > 0 && wordsA.SequenceEqual(wordsB))
        {
            return true;
        }

        if (IsVersion(a) && IsVersion(b))
        {
            return true;
        }

        // Only one way round: "account_links" names something narrower than "accounts", not a misspelling of it.
        if (wordsA.Count > 0 && wordsA.Count < wordsB.Count && wordsA.All(wordsB.Contains) && wordsA.Any(w => w.Length >= 3))
        {
            return true;
        }

        var x = string.Concat(a.Where(char.IsLetterOrDigit)).ToLowerInvariant();
        var y = string.Concat(b.Where(char.IsLetterOrDigit)).ToLowerInvariant();
        var shorter = Math.Min(x.Length, y.Length);
        var allowed = shorter >= 8 ? 2 : shorter >= 4 ? 1 : 0;
        return allowed > 0 && EditDistance.Within(x, y, allowed);
    }

    private static bool IsLiteral(string segment) => !PathShape.IsParameter(segment);

    // A segment with digits that names no version ("in_123", "42") is an id, not a misplaced word.
    private static bool LooksLikeValue(string segment) =>
        segment.Any(char.IsDigit) && (segment.All(char.IsDigit) || PathShape.Parse("/" + segment).Resources.Count > 0);

    private static bool IsVersion(string segment) => VersionSegment().IsMatch(segment);

    // Repairs reach the why; what a generator wrote is quoted only when it is a plain path word.
    private static string Quote(string text) => PlainWord().IsMatch(text) ? text : "…";

    [GeneratedRegex(@"^v\d+(\.\d+)?$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionSegment();

    [GeneratedRegex(@"^[\w.\-~]{1,40}$")]
    private static partial Regex PlainWord();

    /// <param name="Note">The base path this variant added or removed, in words; null for the path as written.</param>
    private readonly record struct Variant(IReadOnlyList<string> Segments, string? Note);
}
