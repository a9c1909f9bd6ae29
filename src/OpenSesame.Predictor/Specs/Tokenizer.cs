using System.Text;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Splits identifiers and prose into comparable words: camelCase, snake_case, kebab-case, dotted and slashed names
/// all break at their natural boundaries, and a light suffix stemmer lets "invoices", "invoicing" and "invoiced" meet.
/// </summary>
public static class Tokenizer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "to", "of", "for", "and", "or", "in", "on", "with", "my", "me", "i", "we", "our", "us",
        "let", "lets", "s", "please", "this", "that", "these", "those", "it", "its", "is", "are", "be", "by", "from",
        "at", "as", "can", "you", "your", "then", "now", "also", "will", "would", "should", "want", "need", "some",
        "what", "which", "who", "how", "do", "does", "did", "there", "here", "into", "about", "so", "if", "up",
        "just", "have", "has", "was", "were", "been", "being", "they", "them", "their", "he", "she", "his", "her",
        "via", "per", "not", "no", "yes", "okay", "ok", "hey", "hi", "thanks", "next", "time", "like", "go",
    };

    /// <summary>A parameter's name as a person reads it: invoice_id, invoiceId and InvoiceID all give "invoice_id".</summary>
    public static string NameKey(string name) => string.Join('_', Words(name));

    /// <summary>Lower-case words of any identifier or sentence, in order, stop words kept.</summary>
    public static List<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(current, words);
                continue;
            }

            if (current.Length > 0 && StartsNewWord(text, i))
            {
                Flush(current, words);
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush(current, words);
        return words;
    }

    /// <summary>Stemmed words without stop words: the terms lexical retrieval indexes and queries.</summary>
    public static List<string> Terms(string? text)
    {
        var terms = new List<string>();
        foreach (var word in Words(text))
        {
            if (!StopWords.Contains(word))
            {
                terms.Add(Stem(word));
            }
        }

        return terms;
    }

    /// <summary>A small, predictable suffix stemmer (plural, -ing, -ed, final e); never shortens below three letters.</summary>
    public static string Stem(string word)
    {
        var w = word;
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else if (w.Length > 4 && (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("xes", StringComparison.Ordinal)
                     || w.EndsWith("ches", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal)))
        {
            w = w[..^2];
        }
        else if (w.Length > 3 && w[^1] == 's' && !w.EndsWith("ss", StringComparison.Ordinal)
                 && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        if (w.Length > 5 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            w = UndoubleConsonant(w[..^3]);
        }
        else if (w.Length > 4 && w.EndsWith("ed", StringComparison.Ordinal) && !w.EndsWith("eed", StringComparison.Ordinal))
        {
            w = UndoubleConsonant(w[..^2]);
        }

        if (w.Length > 3 && w[^1] == 'e')
        {
            w = w[..^1];
        }

        return w;
    }

    private static string UndoubleConsonant(string w) =>
        w.Length > 3 && w[^1] == w[^2] && !"aeiouls".Contains(w[^1], StringComparison.Ordinal) ? w[..^1] : w;

    private static bool StartsNewWord(string text, int i)
    {
        var c = text[i];
        var previous = text[i - 1];
        // Letters and digits stay together: "v1", "q2", "oauth2" and "s3" are words in their own right.
        if (char.IsDigit(c) || char.IsDigit(previous))
        {
            return false;
        }

        if (char.IsUpper(c))
        {
            // "postMessage" -> post|message, "HTTPServer" -> http|server
            return char.IsLower(previous) || (i + 1 < text.Length && char.IsLower(text[i + 1]) && char.IsUpper(previous));
        }

        return false;
    }

    private static void Flush(StringBuilder current, List<string> words)
    {
        if (current.Length > 0)
        {
            words.Add(current.ToString());
            current.Clear();
        }
    }
}
