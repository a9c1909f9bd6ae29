using OpenSesame.Predictor.Caching;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// BM25 over each operation's words: operationId, summary, path words and tags count twice, the description once.
/// Built once per catalog. Queries are expanded, below the weight of the words the user actually typed, with a small
/// table of generic API synonyms ("add" ~ "create"), with the spec's word one typo away from an unknown one
/// ("satus" ~ "status"), and with compounds ("work" ~ "worklog", "webhooks" ~ "hook").
/// </summary>
internal sealed class LexicalIndex
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;
    private const float SynonymWeight = 0.4f;
    private const float TypoWeight = 0.7f;
    private const float CompoundWeight = 0.5f;

    /// <summary>Distinct prompt words whose near spec words one index remembers: far more than a spec's users type, and
    /// at most a few MB for each of the cached catalogs.</summary>
    internal const int NearTermsRemembered = 10_000;

    private static readonly string[][] SynonymGroups =
    [
        ["create", "add", "new", "make", "insert", "register", "submit", "open", "start"],
        ["delete", "remove", "destroy", "erase", "purge", "drop", "trash"],
        ["update", "edit", "modify", "change", "patch", "rename", "adjust", "set"],
        ["list", "all", "browse", "index", "enumerate"],
        ["get", "retrieve", "fetch", "read", "view", "show", "see", "detail", "info", "inspect", "check", "look"],
        ["search", "find", "query", "lookup", "filter", "discover"],
        ["send", "email", "notify", "deliver", "share", "forward"],
        ["pay", "charge", "payment", "settle"],
        ["finish", "finalize", "complete", "close", "done", "wrap", "conclude"],
        ["cancel", "void", "revoke", "abort", "stop", "terminate"],
        ["user", "member", "account", "person", "people", "profile"],
        ["message", "chat", "post"],
        ["file", "document", "doc", "attachment", "upload"],
        ["comment", "reply", "note"],
    ];

    private static readonly Dictionary<string, string[]> Synonyms = BuildSynonyms();

    private readonly Dictionary<string, List<(int Doc, float Tf)>> _postings = new(StringComparer.Ordinal);
    // Prompt words' near spec words, remembered because finding them scans the spec's whole vocabulary. Bounded: every
    // prompt may bring words never seen, and the index lives as long as its catalog is cached.
    private readonly LruCache<string, (string Term, float Weight)[]> _near = new(NearTermsRemembered, StringComparer.Ordinal);
    private readonly float[] _lengths;
    private readonly float _averageLength;

    internal LexicalIndex(EndpointCatalog catalog)
    {
        _lengths = new float[catalog.Operations.Count];
        foreach (var operation in catalog.Operations)
        {
            var counts = new Dictionary<string, float>(StringComparer.Ordinal);
            AddTerms(counts, DocumentTermsOf(operation));
            foreach (var (term, tf) in counts)
            {
                if (!_postings.TryGetValue(term, out var list))
                {
                    _postings[term] = list = [];
                }

                list.Add((operation.Index, tf));
                _lengths[operation.Index] += tf;
            }
        }

        _averageLength = _lengths.Length == 0 ? 1 : Math.Max(1, _lengths.Average());
        DocumentCount = _lengths.Length;
    }

    public int DocumentCount { get; }

    /// <summary>Whether an operation of the spec has this term (as <see cref="Tokenizer.Terms"/> gives it).</summary>
    public bool Knows(string term) => _postings.ContainsKey(term);

    /// <summary>The weighted words an operation is found by.</summary>
    public static IEnumerable<(string Term, float Weight)> DocumentTermsOf(ApiOperation operation)
    {
        foreach (var term in Tokenizer.Terms(operation.OperationId))
        {
            yield return (term, 2);
        }

        foreach (var term in Tokenizer.Terms(operation.Summary))
        {
            yield return (term, 2);
        }

        foreach (var segment in operation.Path.Segments)
        {
            foreach (var term in Tokenizer.Terms(segment))
            {
                yield return (term, PathShape.IsParameter(segment) ? 0.5f : 2);
            }
        }

        foreach (var term in operation.Tags.SelectMany(Tokenizer.Terms))
        {
            yield return (term, 1);
        }

        foreach (var term in Tokenizer.Terms(operation.Description))
        {
            yield return (term, 1);
        }
    }

    /// <summary>BM25 score of every operation (indexed by <see cref="ApiOperation.Index"/>) for the query terms.</summary>
    public float[] Score(IReadOnlyList<string> queryTerms)
    {
        var scores = new float[DocumentCount];
        foreach (var (term, weight) in Expand(queryTerms))
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            var idf = MathF.Log(1 + ((DocumentCount - postings.Count + 0.5f) / (postings.Count + 0.5f)));
            foreach (var (doc, tf) in postings)
            {
                var norm = tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * _lengths[doc] / _averageLength))));
                scores[doc] += weight * idf * norm;
            }
        }

        return scores;
    }

    /// <summary>Which typed words this operation matched, directly or through a synonym (for explanations).</summary>
    public IEnumerable<(string Query, string Matched)> MatchedTerms(IReadOnlyList<string> queryTerms, int doc)
    {
        foreach (var term in queryTerms.Distinct())
        {
            var match = new[] { term }.Concat(Synonyms.GetValueOrDefault(term) ?? []).Concat(NearTermsOf(term).Select(n => n.Term))
                .FirstOrDefault(t => _postings.TryGetValue(t, out var p) && p.Exists(x => x.Doc == doc));
            if (match is not null)
            {
                yield return (term, match);
            }
        }
    }

    private IEnumerable<(string Term, float Weight)> Expand(IReadOnlyList<string> queryTerms)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var term in queryTerms)
        {
            weights[term] = weights.GetValueOrDefault(term) + 1;
        }

        foreach (var term in queryTerms.Distinct().ToList())
        {
            foreach (var synonym in Synonyms.GetValueOrDefault(term) ?? [])
            {
                if (!weights.ContainsKey(synonym))
                {
                    weights[synonym] = SynonymWeight;
                }
            }

            foreach (var (near, weight) in NearTermsOf(term))
            {
                weights[near] = Math.Max(weights.GetValueOrDefault(near), weight);
            }
        }

        return weights.Select(kv => (kv.Key, kv.Value));
    }

    internal int RememberedNearTerms => _near.Count;

    private (string Term, float Weight)[] NearTermsOf(string term) =>
        _near.TryGet(term, out var near) ? near : _near.GetOrAdd(term, NearTerms(term));

    // Spec words one edit away from a word the spec lacks, and compounds that contain or are contained in the word.
    private (string Term, float Weight)[] NearTerms(string term)
    {
        if (term.Length < 4 || term.Any(char.IsDigit))
        {
            return [];
        }

        var known = _postings.ContainsKey(term);
        var near = new List<(string, float)>();
        foreach (var candidate in _postings.Keys)
        {
            if (candidate == term || candidate.Any(char.IsDigit))
            {
                continue;
            }

            if (!known && term.Length >= 5 && candidate[0] == term[0] && EditDistance.Within(term, candidate, 1, swaps: true))
            {
                near.Add((candidate, TypoWeight));
            }
            else if ((candidate.Length >= term.Length + 3 && candidate.StartsWith(term, StringComparison.Ordinal))
                     || (candidate.Length >= 4 && term.Length >= candidate.Length + 3 && term.StartsWith(candidate, StringComparison.Ordinal)))
            {
                near.Add((candidate, CompoundWeight));
            }
        }

        return [.. near];
    }

    private static void AddTerms(Dictionary<string, float> counts, IEnumerable<(string Term, float Weight)> terms)
    {
        foreach (var (term, weight) in terms)
        {
            counts[term] = counts.GetValueOrDefault(term) + weight;
        }
    }

    private static Dictionary<string, string[]> BuildSynonyms()
    {
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in SynonymGroups)
        {
            var stems = group.Select(Tokenizer.Stem).Distinct().ToArray();
            foreach (var stem in stems)
            {
                map[stem] = [.. (map.GetValueOrDefault(stem) ?? []).Concat(stems.Where(s => s != stem)).Distinct()];
            }
        }

        return map;
    }
}
