using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// The moves a user makes through a spec's resources, from path templates and the data-flow graph alone: from a
/// collection to one of its items, between the operations on one item, down to its child resources, back up to its
/// collection, and along produced-consumed ids. Weights say how usual each move is; built once per catalog, each
/// operation's moves on first use.
/// </summary>
internal sealed partial class SpecWalkGraph
{
    private static readonly ConditionalWeakTable<EndpointCatalog, SpecWalkGraph> Cache = new();
    private static readonly HashSet<string> WalkedMethods = new(StringComparer.Ordinal) { "GET", "POST", "PUT", "PATCH", "DELETE" };

    private readonly string[] _shape;
    private readonly string?[] _item;
    private readonly string[] _collection;
    private readonly Dictionary<int, IReadOnlyList<(ApiOperation Operation, double Weight)>> _moves = [];
    private readonly Lock _lock = new();

    private SpecWalkGraph(EndpointCatalog catalog)
    {
        Catalog = catalog;
        Index = ResourceIndex.Of(catalog);
        Walkable = [.. catalog.Operations.Where(o => WalkedMethods.Contains(o.Method))];
        _shape = new string[catalog.Operations.Count];
        _item = new string?[catalog.Operations.Count];
        _collection = new string[catalog.Operations.Count];
        foreach (var operation in catalog.Operations)
        {
            var segments = PathShape.SplitPath(operation.PathTemplate).Select(s => Placeholder().Replace(s, "{}")).ToList();
            _shape[operation.Index] = "/" + string.Join('/', segments);
            var last = segments.FindLastIndex(PathShape.IsParameter);
            _item[operation.Index] = last < 0 ? null : "/" + string.Join('/', segments.Take(last + 1));
            _collection[operation.Index] = operation.Path.EndsWithParameter
                ? "/" + string.Join('/', segments.Take(segments.Count - 1))
                : _shape[operation.Index];
        }

        Starts = [.. Walkable.Select(o => (o, StartWeight(o))).Where(p => p.Item2 > 0)];
    }

    public static SpecWalkGraph Of(EndpointCatalog catalog) => Cache.GetValue(catalog, c => new SpecWalkGraph(c));

    public EndpointCatalog Catalog { get; }

    public ResourceIndex Index { get; }

    public IReadOnlyList<ApiOperation> Walkable { get; }

    /// <summary>Where sessions begin: lists and searches most, creates, reads of something the user already knows.</summary>
    public IReadOnlyList<(ApiOperation Operation, double Weight)> Starts { get; }

    /// <summary>The usual next operations after <paramref name="from"/>, with weights; never itself (clients add repeats).</summary>
    public IReadOnlyList<(ApiOperation Operation, double Weight)> MovesFrom(ApiOperation from)
    {
        lock (_lock)
        {
            if (!_moves.TryGetValue(from.Index, out var moves))
            {
                _moves[from.Index] = moves = [.. Walkable.Where(t => t != from).Select(t => (t, Weight(from, t))).Where(p => p.Item2 > 0)];
            }

            return moves;
        }
    }

    private static double StartWeight(ApiOperation operation)
    {
        var weight = operation.Path.Slots.Count == 0
            ? operation.Kind switch
            {
                OperationKind.List or OperationKind.Search => 3,
                OperationKind.Create => 1.5,
                OperationKind.Read => 1,
                OperationKind.Delete => 0,
                _ => 0.2,
            }
            : operation.Kind switch
            {
                OperationKind.List or OperationKind.Search => 1.2,
                OperationKind.Read => 1,
                OperationKind.Create => 0.6,
                OperationKind.Delete => 0.05,
                _ => 0.3,
            };
        return operation.Deprecated ? weight * 0.1 : weight;
    }

    private double Weight(ApiOperation from, ApiOperation to)
    {
        var weight = Relation(from, to);
        return to.Deprecated ? weight * 0.1 : weight;
    }

    private double Relation(ApiOperation from, ApiOperation to)
    {
        var fromShape = _shape[from.Index];
        var toShape = _shape[to.Index];
        var fromItem = _item[from.Index];
        var toItem = _item[to.Index];

        // A collection, then one of its items: open what the list showed or what was just created.
        if (toShape == fromShape + "/{}")
        {
            return to.Kind switch
            {
                OperationKind.Read => 6,
                OperationKind.Update => 1.5,
                OperationKind.Delete => 0.4,
                _ => 1,
            };
        }

        // Another operation on the same item: change it, act on it, go down to what it holds, or delete it.
        if (fromItem is not null && toItem == fromItem)
        {
            return toShape == fromItem
                ? to.Kind switch
                {
                    OperationKind.Read => 2,
                    OperationKind.Update => 2.5,
                    OperationKind.Delete => 0.6,
                    _ => 1,
                }
                : to.Kind switch
                {
                    OperationKind.List or OperationKind.Search => 2,
                    OperationKind.Action => 1.5,
                    OperationKind.Create => 1.2,
                    OperationKind.Delete => 0.2,
                    _ => 1,
                };
        }

        // Back up to the collection the item belongs to.
        if (fromItem is not null && toShape + "/{}" == fromItem)
        {
            return to.Kind switch
            {
                OperationKind.List or OperationKind.Search => 1,
                OperationKind.Create => 0.5,
                _ => 0.2,
            };
        }

        // The same collection, another verb: list then create, create then list.
        if (!to.Path.EndsWithParameter && _collection[to.Index] == _collection[from.Index])
        {
            return to.Kind is OperationKind.List or OperationKind.Search or OperationKind.Create ? 0.8 : 0.3;
        }

        // Anything that consumes an id this call produced.
        if (Catalog.DataFlow.Feeds(from, to))
        {
            return to.Kind == OperationKind.Read ? 0.6 : 0.3;
        }

        return 0;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();
}
