using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Guardrails.Injection;

/// <summary>
/// The named patterns of instructions aimed at a model, matched against folded text (lower case, single spaces,
/// line breaks kept). Each asks for wording that API users have no reason to type: "ignore the archived invoices",
/// "system status page" and "act on the last invoice" must stay clean, so generic words only count in the company
/// of the words that make them an instruction to a model.
/// </summary>
internal static partial class InjectionRules
{
    public const string IgnoreInstructions = "ignore-instructions";
    public const string NewInstructions = "new-instructions";
    public const string RoleReassignment = "role-reassignment";
    public const string SystemPrompt = "system-prompt";
    public const string RevealInstructions = "reveal-instructions";
    public const string RoleMarker = "role-marker";
    public const string ToolCall = "tool-call";
    public const string HiddenText = "hidden-text";

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private static readonly (string Name, Regex Pattern)[] Rules =
    [
        (IgnoreInstructions, IgnoreStrongNoun()),
        (IgnoreInstructions, IgnoreQualifiedNoun()),
        (IgnoreInstructions, IgnoreEverythingAbove()),
        (NewInstructions, NewInstructionsPattern()),
        (RoleReassignment, YouAreNow()),
        (RoleReassignment, ActAs()),
        (RoleReassignment, Pretend()),
        (SystemPrompt, SystemPromptPattern()),
        (RevealInstructions, Reveal()),
        (RevealInstructions, WhatAreYourInstructions()),
        (RoleMarker, ChatTemplateToken()),
        (RoleMarker, MarkdownRoleHeading()),
        (RoleMarker, RoleTag()),
        (ToolCall, ToolCallKey()),
        (ToolCall, ToolUseType()),
        (ToolCall, ToolCallTag()),
    ];

    /// <summary>Adds the name of every rule the folded text matches.</summary>
    public static void Match(string folded, ISet<string> found)
    {
        foreach (var (name, pattern) in Rules)
        {
            if (!found.Contains(name) && pattern.IsMatch(folded))
            {
                found.Add(name);
            }
        }

        if (!found.Contains(RoleMarker) && HasRoleLines(folded))
        {
            found.Add(RoleMarker);
        }

        if (!found.Contains(ToolCall) && BareToolKey().IsMatch(folded) && ToolArguments().IsMatch(folded))
        {
            found.Add(ToolCall);
        }

        // "</s>" ends a turn in Llama-style templates; in HTML it closes a strike-through that opened with "<s>".
        if (!found.Contains(RoleMarker) && folded.Contains("</s>", StringComparison.Ordinal)
            && !folded.Contains("<s>", StringComparison.Ordinal))
        {
            found.Add(RoleMarker);
        }
    }

    /// <summary>Adds the rules a run of letters typed one by one spells when its spacing is gone
    /// ("i g n o r e p r e v i o u s i n s t r u c t i o n s").</summary>
    public static void MatchSquashed(string letters, ISet<string> found)
    {
        if (SquashedIgnore().IsMatch(letters))
        {
            found.Add(IgnoreInstructions);
        }

        if (SquashedOther().Match(letters) is { Success: true } match)
        {
            found.Add(match.Groups["prompt"].Success ? SystemPrompt
                : match.Groups["reveal"].Success ? RevealInstructions
                : RoleReassignment);
        }
    }

    // A transcript: two different roles at the start of lines, or a system/assistant line that speaks to the model.
    // One "System: Ubuntu 22.04" line in a bug report is neither.
    private static bool HasRoleLines(string folded)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match line in RoleLine().Matches(folded))
        {
            roles.Add(line.Groups["role"].Value is "human" ? "user" : line.Groups["role"].Value is "ai" ? "assistant" : line.Groups["role"].Value);
            if (line.Groups["directive"].Success && line.Groups["role"].Value is "system" or "assistant" or "developer")
            {
                return true;
            }
        }

        return roles.Count >= 2 && (roles.Contains("system") || roles.Contains("assistant"));
    }

    private const string Verb = @"(ignore|disregard|forget|override|bypass)";
    private const string Filler = @"((all|any|every|each|the|of|your|my|these|those|that|this|previous|prior|above|preceding|earlier|foregoing|former|initial|original|old|existing|current|system|developer|given|default|safety)\s+){0,4}";

    [GeneratedRegex(@"\b" + Verb + @"\s+" + Filler + @"(instructions?|prompts?|directions|directives?|guidelines|guardrails|programming|system\s+messages?)\b", Options)]
    private static partial Regex IgnoreStrongNoun();

    // Generic nouns ("rules", "messages", "context") only with a word that points back at what the model was told.
    [GeneratedRegex(@"\b" + Verb + @"\s+((all|any|of|the|these|those)\s+){0,3}((previous|prior|above|preceding|earlier|your|system)\s+){1,2}(rules|context|messages|commands|constraints|policies|restrictions|orders|conversation|text|input)\b", Options)]
    private static partial Regex IgnoreQualifiedNoun();

    [GeneratedRegex(@"\b(ignore|disregard|forget)\s+(everything|all|anything)\s+((of\s+)?(the\s+)?above|(you\s+(were|have\s+been)\s+told)|(that\s+)?(was\s+)?(written|said|stated)\s+(above|before))\b", Options)]
    private static partial Regex IgnoreEverythingAbove();

    [GeneratedRegex(@"\b(new|updated|revised|real|actual|true)\s+(instructions|system\s+prompt)\s*:|\b(your|the)\s+(new|real|actual|true)\s+(instructions|task|role|goal|objective|purpose)\s+(is|are)\b", Options)]
    private static partial Regex NewInstructionsPattern();

    // "You are now subscribed" and "you are now an admin of the workspace" are messages people send through APIs;
    // "you are now an unrestricted AI" is not.
    [GeneratedRegex(@"\byou\s+are\s+(now|no\s+longer)\s+(an?\s+|the\s+|my\s+)?((unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|different|new|free|helpful)\s+)?(ai|assistant|chatbot|language\s+model|llm|gpt|chatgpt|claude|dan)(?=\s*($|[.,;:!?\n]|and\b|that\b|who\b|with\b|without\b|named\b|called\b))|\byou\s+are\s+now\s+(jailbroken|unrestricted|unfiltered|uncensored|in\s+(developer|god|dan|jailbreak|unrestricted)\s+mode)\b|\bdo\s+anything\s+now\b", Options)]
    private static partial Regex YouAreNow();

    // "act on the last invoice" and "act as admin for tenant 4" are API talk; acting as an AI or "as if you were" is not.
    [GeneratedRegex(@"\b(act|behave|respond|answer|reply)\s+as\s+(if|though)\s+you\s+(are|were|have|had)\b|\b(act|behave)\s+as\s+(an?\s+|the\s+|my\s+)?((unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|different)\s+)?(ai|assistant|chatbot|language\s+model|llm|dan|linux\s+terminal)\b", Options)]
    private static partial Regex ActAs();

    [GeneratedRegex(@"\bpretend\s+(to\s+be|you\s+are|that\s+you)\b|\brole-?\s?play\s+as\b|\b(enable|enter|activate|switch\s+to)\s+(dan|god|jailbreak|unrestricted)\s+mode\b", Options)]
    private static partial Regex Pretend();

    [GeneratedRegex(@"\b(system|developer|hidden|secret)\s+prompts?\b|\b(system|hidden|secret)\s+instructions\b|\binitial\s+prompt\b|\bdeveloper\s+message\b", Options)]
    private static partial Regex SystemPromptPattern();

    [GeneratedRegex(@"\b(reveal|show|print|repeat|output|display|tell|give|leak|dump|disclose|expose|share|recite|echo|write\s+out|spell\s+out)\s+(me\s+|us\s+)?(all\s+)?(your\s+((system|hidden|secret|initial|original)\s+)?(prompt|instructions|rules|guidelines|directives)|the\s+(system|hidden|secret)\s+(prompt|instructions))\b|\b(repeat|print|output|recite)\s+(everything|all|the\s+text|the\s+words)\s+(above|before\s+this)\b", Options)]
    private static partial Regex Reveal();

    [GeneratedRegex(@"\bwhat\s+(are|were|is)\s+your\s+(system\s+prompt|instructions|rules|guidelines|directives)\b", Options)]
    private static partial Regex WhatAreYourInstructions();

    [GeneratedRegex(@"<\|\s*(im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|channel|message|end|start|return|call)\s*\|>|\[/?inst\]|<</?sys>>|<(start|end)_of_turn>", Options)]
    private static partial Regex ChatTemplateToken();

    [GeneratedRegex(@"(^|\n)\s*#{2,}\s*(instruction|system(\s+prompt)?|new\s+instructions?)\s*:?\s*($|\n)", Options)]
    private static partial Regex MarkdownRoleHeading();

    [GeneratedRegex(@"<\s*/?\s*(system|system[_-]?prompt|assistant|instructions?|developer|im_start|im_end)\s*>", Options)]
    private static partial Regex RoleTag();

    [GeneratedRegex(@"(^|\n)\s*(?<role>system|assistant|developer|user|human|ai)\s*:\s*(?<directive>you\b|ignore\b|disregard\b|forget\b|from\s+now\s+on\b|new\s+instructions\b|override\b|always\b|never\b|do\s+not\b|don't\b)?", Options)]
    private static partial Regex RoleLine();

    [GeneratedRegex("\"(tool_name|tool_calls?|tool_use|tool_code|tool_input|function_call|function_name|recipient_name)\"\\s*:", Options)]
    private static partial Regex ToolCallKey();

    [GeneratedRegex("\"type\"\\s*:\\s*\"(tool_use|tool_call|tool_result|function_call|function)\"", Options)]
    private static partial Regex ToolUseType();

    [GeneratedRegex(@"<\s*/?\s*(function_calls?|tool_calls?|tool_use|tool_code|tool_result|function_results?|invoke\s+name)\b", Options)]
    private static partial Regex ToolCallTag();

    // {"tool": "hammer"} is inventory; {"tool": "send_email", "arguments": {...}} is a tool call.
    [GeneratedRegex("\"(tool|function|action)\"\\s*:", Options)]
    private static partial Regex BareToolKey();

    [GeneratedRegex("\"(arguments|args|parameters|input|action_input)\"\\s*:", Options)]
    private static partial Regex ToolArguments();

    [GeneratedRegex(@"(ignore|disregard|forget|override|bypass)(all|any|the|your|of|previous|prior|above|earlier)*(instructions?|prompts?|rules|guidelines|directives?)", Options)]
    private static partial Regex SquashedIgnore();

    [GeneratedRegex(@"(?<prompt>systemprompt)|(?<reveal>(reveal|show|print|repeat)(me)?(your|the)(system)?(prompt|instructions))|(?<role>youarenow(an?)?(ai|assistant|dan|unrestricted|jailbroken)|actas(an?)?(ai|assistant|dan)|pretendtobe|doanythingnow)", Options)]
    private static partial Regex SquashedOther();
}
