using System.Buffers;
using System.Text.Json;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// The length limits of <see cref="PredictRequestValidator"/> (prompt, <c>user_id</c>, <c>session_id</c>, the number of
/// events, each event's endpoint) measured on a <c>/predict</c> body's raw JSON while it streams in, so that a body far
/// over one of them is refused without ever holding that value: deserialized, a 26 MB prompt was a 26 MB read buffer and
/// a 52 MB string per request, and eight at once took the service past 2 GB. Values up to <see cref="Slack"/> times
/// their limit are left to the deserializer and the validator, which measure them exactly (the prompt after
/// normalisation); past that the body is <see cref="Refused"/>, and <see cref="Errors"/> names every length problem
/// the validator would, in its words. It reads bytes it is shown, in order, in chunks of any size; syntax errors are
/// the deserializer's to report, so it only needs to follow strings and nesting.
/// </summary>
public sealed class PredictBodyScanner(PredictionOptions options)
{
    /// <summary>How many times over its limit a value must be before the scanner refuses it instead of the validator:
    /// NFC normalisation may compose up to four UTF-16 code units into one (Hangul, stacked accents), so a prompt
    /// under four times the limit may still be accepted once normalised. Beyond every limit this many times, what
    /// the deserializer holds is at most a few tens of kilobytes.</summary>
    public const int Slack = 4;

    // Containers deeper than an event object (params, an inline spec's insides) hold nothing the scanner measures.
    private const int Tracked = 3;
    private const int MaxNameBytes = 128;

    private static readonly SearchValues<byte> PlainText = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b)]);

    private enum Field
    {
        None,
        Prompt,
        UserId,
        SessionId,
        Events,
        Endpoint,
    }

    private readonly bool[] _isObject = new bool[Tracked + 1];
    private readonly bool[] _expectName = new bool[Tracked + 1];
    private readonly Field[] _key = new Field[Tracked + 1];
    private readonly byte[] _name = new byte[MaxNameBytes];
    private readonly List<(long Index, long Length)> _longEndpoints = [];

    private int _depth;
    private bool _inEvents;
    private bool _inEvent;
    private bool _eventHasValue;
    private long _events;

    private bool _inString;
    private bool _isName;
    private bool _escape;
    private bool _afterC2;
    private int _hexLeft;
    private int _hex;
    private int _nameLength;
    private Field _target;
    private long _units;
    private long _visible;

    private long _promptLength;
    private bool _userIdTooLong;
    private bool _sessionIdTooLong;

    /// <summary>A value is more than <see cref="Slack"/> times over its limit: stop deserializing, read the rest of the
    /// body through <see cref="Observe"/>, and answer <see cref="Errors"/>.</summary>
    public bool Refused { get; private set; }

    /// <summary>Follows the next bytes of the body.</summary>
    public void Observe(ReadOnlySpan<byte> json)
    {
        var i = 0;
        while (i < json.Length)
        {
            if (_inString)
            {
                i = InString(json, i);
                continue;
            }

            switch (json[i++])
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    break;
                case (byte)'"':
                    StartString();
                    break;
                case (byte)'{':
                    Open(isObject: true);
                    break;
                case (byte)'[':
                    Open(isObject: false);
                    break;
                case (byte)'}' or (byte)']':
                    Close();
                    break;
                case (byte)',':
                    Comma();
                    break;
                case (byte)':':
                    if (_depth <= Tracked)
                    {
                        _expectName[_depth] = false;
                    }

                    break;
                default:
                    ValueStarts(); // a number, true, false or null: every byte of it, which counts an event once
                    break;
            }
        }
    }

    /// <summary>Every length problem seen so far, named and worded as <see cref="PredictRequestValidator"/> does: a
    /// prompt's length counts the characters normalisation keeps (not control characters), before composing them.</summary>
    public IDictionary<string, string[]> Errors()
    {
        var promptLength = _inString && _target == Field.Prompt ? _visible : _promptLength;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (promptLength > options.MaxPromptLength)
        {
            errors["prompt"] = [PredictRequestValidator.PromptTooLong(promptLength, options)];
        }

        if (_userIdTooLong || (_inString && _target == Field.UserId && _units > PredictRequestValidator.MaxIdLength))
        {
            errors["user_id"] = [PredictRequestValidator.IdTooLong];
        }

        if (_sessionIdTooLong || (_inString && _target == Field.SessionId && _units > PredictRequestValidator.MaxIdLength))
        {
            errors["session_id"] = [PredictRequestValidator.IdTooLong];
        }

        if (_events > options.MaxEvents)
        {
            // As the validator: too many events, and none of them is looked at.
            errors["events"] = [PredictRequestValidator.TooManyEvents(_events, options)];
            return errors;
        }

        var endpoints = _inString && _target == Field.Endpoint && _units > options.MaxEndpointLength
            ? _longEndpoints.Append((_events - 1, _units))
            : _longEndpoints;
        foreach (var (index, length) in endpoints)
        {
            errors[$"events[{index}].endpoint"] = [PredictRequestValidator.EndpointTooLong(length, options)];
        }

        return errors;
    }

    private void Open(bool isObject)
    {
        ValueStarts();
        var key = _depth is >= 1 and <= Tracked ? _key[_depth] : Field.None;
        _depth++;
        if (_depth > Tracked)
        {
            return;
        }

        _isObject[_depth] = isObject;
        _expectName[_depth] = isObject;
        _key[_depth] = Field.None;
        if (_depth == 2)
        {
            _inEvents = !isObject && key == Field.Events && _isObject[1];
            _eventHasValue = false;
        }
        else if (_depth == 3)
        {
            _inEvent = isObject && _inEvents;
        }
    }

    private void Close()
    {
        if (_depth == 2)
        {
            _inEvents = false;
        }
        else if (_depth == 3)
        {
            _inEvent = false;
        }

        _depth = Math.Max(0, _depth - 1);
    }

    private void Comma()
    {
        if (_depth is >= 1 and <= Tracked && _isObject[_depth])
        {
            _expectName[_depth] = true;
        }
        else if (_depth == 2 && _inEvents)
        {
            _eventHasValue = false;
        }
    }

    // A value begins at the current depth: in the events array, that is one more event.
    private void ValueStarts()
    {
        if (_depth != 2 || !_inEvents || _eventHasValue)
        {
            return;
        }

        _eventHasValue = true;
        if (++_events > (long)Slack * options.MaxEvents)
        {
            Refused = true;
        }
    }

    private void StartString()
    {
        _isName = _depth is >= 1 and <= Tracked && _isObject[_depth] && _expectName[_depth];
        if (!_isName)
        {
            ValueStarts();
        }

        _inString = true;
        _escape = false;
        _afterC2 = false;
        _hexLeft = 0;
        _nameLength = 0;
        _units = 0;
        _visible = 0;
        _target = _isName ? Field.None
            : _depth == 1 && _isObject[1] && _key[1] is Field.Prompt or Field.UserId or Field.SessionId ? _key[1]
            : _depth == 3 && _inEvent && _key[3] == Field.Endpoint ? Field.Endpoint
            : Field.None;
    }

    // Reads string bytes from index i; returns the index after the ones it read.
    private int InString(ReadOnlySpan<byte> json, int i)
    {
        if (!_isName && !_escape && _hexLeft == 0)
        {
            // Most string bytes need no look of their own: skip to the next quote or escape, and where the length
            // counts, to the next byte that is not printable ASCII (one visible character each).
            var next = _target == Field.None ? json[i..].IndexOfAny((byte)'"', (byte)'\\') : json[i..].IndexOfAnyExcept(PlainText);
            var plain = next < 0 ? json.Length - i : next;
            if (_target != Field.None && plain > 0)
            {
                _units += plain;
                _visible += plain;
                _afterC2 = false;
                CheckCutoff();
            }

            if (next < 0)
            {
                return json.Length;
            }

            i += next;
        }

        var b = json[i];
        if (_isName && !(b == '"' && !_escape && _hexLeft == 0))
        {
            // A longer name is none the scanner knows; one byte past the buffer marks it.
            _nameLength = Math.Min(_nameLength + 1, MaxNameBytes + 1);
            if (_nameLength <= MaxNameBytes)
            {
                _name[_nameLength - 1] = b;
            }
        }

        if (_hexLeft > 0)
        {
            _hex = (_hex * 16) + HexValue(b);
            if (--_hexLeft == 0)
            {
                Unit((char)_hex);
            }
        }
        else if (_escape)
        {
            _escape = false;
            if (b == 'u')
            {
                _hexLeft = 4;
                _hex = 0;
            }
            else
            {
                Unit(b switch { (byte)'b' => '\b', (byte)'f' => '\f', (byte)'r' => '\r', _ => 'x' });
            }
        }
        else if (b == '\\')
        {
            _escape = true;
        }
        else if (b == '"')
        {
            EndString();
        }
        else if (b < 0x80)
        {
            Unit((char)b);
        }
        else if (b >= 0xC0)
        {
            // A UTF-8 lead byte: one UTF-16 code unit, two (a surrogate pair) from four bytes on.
            var units = b >= 0xF0 ? 2 : 1;
            _units += units;
            _visible += units;
            _afterC2 = b == 0xC2;
            CheckCutoff();
        }
        else
        {
            // A continuation byte; after C2, 80-9F make a C1 control character, which normalisation removes.
            if (_afterC2 && b <= 0x9F)
            {
                _visible--;
            }

            _afterC2 = false;
        }

        return i + 1;
    }

    private void Unit(char c)
    {
        _units++;
        if (!char.IsControl(c) || c is '\n' or '\t')
        {
            _visible++;
        }

        _afterC2 = false;
        CheckCutoff();
    }

    private void CheckCutoff()
    {
        var over = _target switch
        {
            Field.Prompt => _visible > (long)Slack * options.MaxPromptLength,
            Field.UserId or Field.SessionId => _units > (long)Slack * PredictRequestValidator.MaxIdLength,
            Field.Endpoint => _units > (long)Slack * options.MaxEndpointLength,
            _ => false,
        };
        if (over)
        {
            Refused = true;
        }
    }

    private void EndString()
    {
        _inString = false;
        if (_isName)
        {
            if (_depth is >= 1 and <= Tracked)
            {
                _key[_depth] = _nameLength > MaxNameBytes ? Field.None : FieldNamed(_name.AsSpan(0, _nameLength));
            }

            return;
        }

        switch (_target)
        {
            case Field.Prompt:
                _promptLength = _visible;
                break;
            case Field.UserId:
                _userIdTooLong = _units > PredictRequestValidator.MaxIdLength;
                break;
            case Field.SessionId:
                _sessionIdTooLong = _units > PredictRequestValidator.MaxIdLength;
                break;
            case Field.Endpoint when _units > options.MaxEndpointLength && _longEndpoints.Count <= Slack * options.MaxEvents:
                _longEndpoints.Add((_events - 1, _units));
                break;
        }
    }

    // Names as the deserializer matches them: snake_case, any letter case, escapes decoded.
    private Field FieldNamed(ReadOnlySpan<byte> raw)
    {
        if (_depth == Tracked && !_inEvent)
        {
            return Field.None;
        }

        string name;
        if (raw.Contains((byte)'\\'))
        {
            try
            {
                name = JsonSerializer.Deserialize<string>([(byte)'"', .. raw, (byte)'"']) ?? "";
            }
            catch (JsonException)
            {
                return Field.None;
            }
        }
        else
        {
            name = System.Text.Encoding.UTF8.GetString(raw);
        }

        return (_depth, name.ToLowerInvariant()) switch
        {
            (1, "prompt") => Field.Prompt,
            (1, "user_id") => Field.UserId,
            (1, "session_id") => Field.SessionId,
            (1, "events") => Field.Events,
            (3, "endpoint") => Field.Endpoint,
            _ => Field.None,
        };
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => 0,
    };
}
