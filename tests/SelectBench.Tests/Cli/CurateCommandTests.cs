using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Worlds;
using SelectBench.Tests.Data;

namespace SelectBench.Tests.Cli;

/// <summary>`curate` opens any world: here one built from data sources, not FashionMNIST++.</summary>
public sealed class CurateCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private string Root => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void CuratesOverADataSourceWorld()
    {
        ProgressBar.Enabled = false;
        var world = BuildWorld();
        var config = Config();
        var output = Path.Combine(Root, "curated");

        var (code, _) = CliHost.Run("curate", "--world", world, "--config", config, "--out", output);

        Assert.Equal(0, code);
        foreach (var shift in new[] { "expert", "embedding-search" })
            Assert.True(ShiftStore.Exists(Path.Combine(output, "shifts", shift)), shift);
        Assert.Contains("\"world\": \"data sources\"", File.ReadAllText(Path.Combine(output, "curation.json")));
    }

    [Fact]
    public void AFolderWithoutAWorldIsAnErrorNamingTheOption()
    {
        var e = Assert.Throws<BadInputException>(() => CliHost.Run("curate", "--world", Root, "--config", Config()));
        Assert.Contains("--world", e.Message);
        Assert.Contains("holds no world", e.Message);
    }

    [Fact]
    public void ACancelledCurationStopsBeforeTheNextShift()
    {
        using var world = WorldFolder.Open(BuildWorld(), "world").Load();
        var config = CurationConfig.Load(Config(), null);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var output = Path.Combine(Root, "cancelled");
        Assert.Throws<OperationCanceledException>(() => CurationRun.Build(world.Curation, config, output, cancellation: cancelled.Token));
        Assert.False(Directory.Exists(Path.Combine(output, "shifts")));
    }

    private string BuildWorld()
    {
        Save("test", Blocks(100, seed: 1));
        Save("E", Blocks(200, seed: 2));
        Save("pool", Blocks(200, seed: 3));
        var world = Path.Combine(Root, "world");
        var settings = new SourceWorldSettings(P("test"), new Dictionary<string, string> { ["E"] = P("E"), ["pool"] = P("pool") },
            new Dictionary<string, SourceEvalSet>(), new Dictionary<string, SourceTransferTask>(), "E", Channels: 1);
        using (SourceWorld.Build(settings, world, _ => { })) { }
        return world;
    }

    private string Config()
    {
        var path = Path.Combine(Root, "curation.yaml");
        File.WriteAllText(path, """
            target_size: 40
            encoder: { kind: pixel-pca, components: 4, fit_on: E }
            shifts:
              expert: { strategy: expert, settings: { source: E } }
              embedding-search: { strategy: embedding-search, settings: { queries: E, pool: pool, neighbours_per_query: 1, exclusive: true } }
            """);
        return path;
    }

    private string P(string name) => Path.Combine(Root, "sources", name);

    private void Save(string name, ImageSet set) => ImageSetStore.Save(set, P(name));

    /// <summary>Class c lights block c of a 4x4 grid on 16x16 grey images, over noise.</summary>
    private static ImageSet Blocks(int count, int seed)
    {
        var rng = new Random(seed);
        const int size = 16, classes = 4;
        var pixels = new byte[count * size * size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % classes;
            labels[i] = c;
            int by = c / 4 * 4, bx = c % 4 * 4;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    pixels[i * size * size + y * size + x] = (byte)(rng.Next(60) + (y >= by && y < by + 4 && x >= bx && x < bx + 4 ? 180 : 0));
        }
        return new ImageSet(pixels, labels, LabelSet.Numbered(classes), 1, size, size, Enumerable.Range(0, count).Select(i => $"{seed}-{i}").ToArray());
    }
}
