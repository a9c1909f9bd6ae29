using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Context;

/// <summary>
/// The values the history makes available, by parameter name and by the entity they identify, latest first.
/// This is how an id seen as <c>{invoice}</c> in one call fills <c>{invoice_id}</c> or <c>/invoices/{id}</c> in another.
/// </summary>
public sealed class HistoryValues
{
    private readonly Dictionary<string, Known> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Known> _byEntity = new(StringComparer.Ordinal);

    /// <summary>A value and the history position (0 = oldest) of the call that carried it.</summary>
    public readonly record struct Known(JsonElement Value, int Position, string Source);

    public static HistoryValues From(IReadOnlyList<ResolvedEvent> history)
    {
        var values = new HistoryValues();
        for (var position = 0; position < history.Count; position++)
        {
            var resolved = history[position];
            var shape = resolved.Match.Shape;
            foreach (var (name, value) in resolved.Match.PathValues)
            {
                var entity = shape?.Slots.FirstOrDefault(s => s.Name == name)?.Entity ?? PathShape.EntityOf(name, null);
                values.Add(name, entity, JsonSerializer.SerializeToElement(value), position, resolved.Event.Endpoint);
            }

            foreach (var (name, value) in resolved.Event.Params)
            {
                if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    continue;
                }

                // A bare "id" in the params of a call on /invoices identifies an invoice.
                var entity = IsBareId(name) ? shape?.MainResource : PathShape.EntityOf(name, null);
                values.Add(name, entity, value.Clone(), position, resolved.Event.Endpoint);
            }
        }

        return values;
    }

    public bool IsEmpty => _byName.Count == 0;

    public Known? ForName(string name) => ForKey(Tokenizer.NameKey(name));

    public Known? ForEntity(string entity) => _byEntity.TryGetValue(entity, out var known) ? known : null;

    /// <summary>The value for a path parameter slot: same name first, then same entity.</summary>
    public Known? ForSlot(PathParameterSlot slot) =>
        (IsBareId(slot.Name) ? null : ForKey(slot.NameKey)) ?? ForEntity(slot.Entity);

    // invoice_id, invoiceId and InvoiceID are the same parameter to a person: one key.
    private Known? ForKey(string nameKey) => _byName.TryGetValue(nameKey, out var known) ? known : null;

    private void Add(string name, string? entity, JsonElement value, int position, string source)
    {
        var known = new Known(value, position, source);
        _byName[Tokenizer.NameKey(name)] = known;
        if (!string.IsNullOrEmpty(entity))
        {
            _byEntity[entity] = known;
        }
    }

    private static bool IsBareId(string name) => name is "id" or "Id" or "ID" or "uuid" or "key";
}
