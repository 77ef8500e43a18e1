using System.Reflection;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// The top-level folders of src/SelectBench form layers (docs/architecture.md#folders): a folder may use the
/// folders listed before it, never one after it. The dependencies are read from the compiled assembly
/// (<see cref="TypeDependencies"/>), so a qualified name or a missing <c>using</c> cannot hide one.
/// </summary>
public class FolderDependencyTests
{
    /// <summary>The layer order, lowest first. It is the order of the table in docs/architecture.md.</summary>
    public static readonly string[] Layers =
    [
        "Common", "Statistics", "Engine", "Data", "Embedding", "Models", "Training", "Encoders", "Search",
        "Analysis", "Evaluation", "Curation", "Worlds", "Running", "Reporting", "Benchmark",
    ];

    private static readonly Assembly Library = typeof(SelectBench.Common.SelectBenchException).Assembly;

    /// <summary>Folder to folder, with one example type pair per edge ("A.Type uses B.Type").</summary>
    private static Dictionary<(string From, string To), List<string>> FolderEdges()
    {
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (var (type, used) in TypeDependencies.Of(Library))
        {
            var from = Folder(type);
            if (from == null) continue;
            foreach (var u in used)
            {
                var to = Folder(u);
                if (to == null || to == from) continue;
                if (!edges.TryGetValue((from, to), out var examples)) edges[(from, to)] = examples = [];
                examples.Add($"{type.FullName} uses {u.FullName}");
            }
        }
        return edges;
    }

    private static string? Folder(Type t)
    {
        var ns = t.Namespace;
        if (ns == null || !ns.StartsWith("SelectBench.", StringComparison.Ordinal)) return null;
        return ns.Split('.')[1];
    }

    [Fact]
    public void No_two_folders_depend_on_each_other()
    {
        var edges = FolderEdges();
        var twoWay = edges.Keys.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .Select(e => $"{e.From} <-> {e.To}: {edges[e][0]}; {edges[(e.To, e.From)][0]}")
            .ToList();
        Assert.True(twoWay.Count == 0, "two-way folder dependencies:\n" + string.Join("\n", twoWay));
    }

    [Fact]
    public void Every_folder_uses_only_the_layers_below_it()
    {
        var upward = FolderEdges()
            .Where(e => Array.IndexOf(Layers, e.Key.From) < Array.IndexOf(Layers, e.Key.To))
            .OrderBy(e => e.Key.From).ThenBy(e => e.Key.To)
            .Select(e => $"{e.Key.From} -> {e.Key.To} ({e.Value.Count} uses), e.g. {e.Value[0]}")
            .ToList();
        Assert.True(upward.Count == 0, "dependencies against the layer order of docs/architecture.md:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Every_folder_has_a_place_in_the_layer_order()
    {
        var folders = Library.GetTypes().Select(Folder).OfType<string>().Distinct().Order().ToList();
        var unplaced = folders.Except(Layers).ToList();
        Assert.True(unplaced.Count == 0, $"folders missing from FolderDependencyTests.Layers and docs/architecture.md: {string.Join(", ", unplaced)}");
        Assert.Empty(Layers.Except(folders));
    }

    [Fact]
    public void The_reader_sees_a_known_dependency()
    {
        // Guards the reader itself: the trainer's evaluation uses the classification metrics.
        var edges = FolderEdges();
        Assert.Contains(("Training", "Statistics"), edges.Keys);
        Assert.Contains(("Benchmark", "Running"), edges.Keys);
    }
}
