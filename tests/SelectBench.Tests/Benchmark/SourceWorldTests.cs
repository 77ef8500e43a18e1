using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Reporting;

namespace SelectBench.Tests.Benchmark;

/// <summary>A run over your own data sources (config `data:`): the path ImageNet takes, here on tiny saved image sets.</summary>
public sealed class SourceWorldTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sb-source-world").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void TheDocumentedImageNetConfigIsValid()
    {
        var path = Path.Combine(RepositoryRoot(), "configs", "run-imagenet.yaml");
        var config = RunConfig.Load(path);
        Assert.NotNull(config.Data);
        Assert.Equal(["expert", "la1000-img2img", "la1000-txt2img", "oi1000", "sd1000-txt2img", "sd1000-img2img"],
            config.Curation.Shifts.Select(s => s.Name));
        Assert.Equal([192], new[] { config.Data!.ImageSize });
        Assert.True(config.Data.EvalSets["imagenet-r"].PresentClassesOnly);
        Assert.Equal("cuda", config.Training.Device);
        Assert.Equal("slurm", config.Executor.Kind);
        Assert.Contains(BenchmarkPlan.Build(config).Jobs, j => j.Id == "train/oi1000/seed3");
    }

    [Fact]
    public void ARunOverSavedImageSetsCuratesImportsTrainsAndReports()
    {
        Save("test", Blocks(200, seed: 1));
        Save("E", Blocks(300, seed: 2));
        Save("pool", Blocks(400, seed: 3));
        Save("hard", Blocks(100, seed: 4, classes: 4)); // only classes 0-3: predicted among those
        Save("made-elsewhere", Blocks(120, seed: 5));
        Save("task-train", Blocks(60, seed: 6, classes: 3));
        Save("task-test", Blocks(30, seed: 7, classes: 3));
        var yaml = $$"""
            name: my-data
            data:
              test: {{P("test")}}
              sets: { E: {{P("E")}}, pool: {{P("pool")}} }
              eval_sets: { hard: {{P("hard")}} }
              transfer: { blocks3: { train: {{P("task-train")}}, test: {{P("task-test")}} } }
              encoder_fit: pool
              channels: 1
            curation:
              target_size: 100
              encoder: { kind: pixel-pca, components: 8, fit_on: E }
              shifts:
                expert: { strategy: expert, settings: { source: E } }
                embedding-search: { strategy: embedding-search, settings: { queries: E, pool: pool, neighbours_per_query: 1, exclusive: true } }
                theirs: { strategy: import, settings: { source: {{P("made-elsewhere")}}, channels: 1, cost_per_image: 0.5, max_images: 100 } }
            training: { width: 0.25, epochs: 2, batch_size: 32, learning_rate: 0.05, warmup_epochs: 0 }
            seeds: [1]
            evaluation:
              suite: [base, natural, transfer, analytics, knn]
              encoder: pca:8
              transfer: { steps: 2, decay_every: 1, batch_size: 8, input_size: 0 }
              knn: { images_per_class: [2], ks: [1, 5] }
              bootstrap: 20
            executor: { parallel: 1 }
            """;
        var config = RunConfig.Parse(yaml, "my-data.yaml");
        var run = new RunFolder(Path.Combine(_root, "run"));
        var summary = new LocalExecutor(new ThreadLauncher(), new LocalExecutorOptions(1, 1))
            .Run(run, BenchmarkPlan.Build(config), ForceSelector.None, CancellationToken.None);
        Assert.True(summary.Succeeded, summary.Describe());

        var results = Json.Read<BenchmarkResults>(Path.Combine(run.JobFolder("report"), ReportJobKind.ResultsFile));
        Assert.Equal(["embedding-search", "expert", "theirs"], results.Leaderboard.Shifts.Select(s => s.Name).Order());
        var theirs = results.Leaderboard.Shifts.Single(s => s.Name == "theirs");
        Assert.Equal(100, theirs.Images);
        Assert.Equal(50, theirs.Cost, 9); // 100 images x 0.5
        Assert.True(theirs.Metrics.ContainsKey("natural_hard_top1"));
        Assert.True(theirs.Metrics.ContainsKey("transfer_blocks3_top1"));
        Assert.True(File.Exists(Path.Combine(run.JobFolder("report"), ReportJobKind.ReportFolder, "index.html")));
    }

    [Fact]
    public void AnEvalSetIsMappedOntoTheLabelSetByNameAndAnUnknownClassIsNamed()
    {
        var sub = new ImageSet(new byte[3], [0, 1, 0], new LabelSet(["dog", "cat"]), 1, 1, 1);
        var mapped = sub.MapLabelsInto(new LabelSet(["ant", "cat", "dog"]), "eval");
        Assert.Equal([2, 1, 2], mapped.Labels);
        var e = Assert.Throws<BadInputException>(() => sub.MapLabelsInto(new LabelSet(["cat", "cow"]), "data.eval_sets.pets"));
        Assert.Contains("data.eval_sets.pets", e.Message);
        Assert.Contains("dog", e.Message);
    }

    private string P(string name) => Path.Combine(_root, "sources", name);

    private void Save(string name, ImageSet set) => ImageSetStore.Save(set, P(name));

    /// <summary>Class c lights block c of a 4x4 grid on 16x16 grey images, over noise.</summary>
    private static ImageSet Blocks(int count, int seed, int classes = 10)
    {
        var rng = new Random(seed);
        const int size = 16;
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
        return new ImageSet(pixels, labels, classes == 10 ? LabelSet.Numbered(10) : LabelSet.Numbered(classes), 1, size, size,
            Enumerable.Range(0, count).Select(i => $"{seed}-{i}").ToArray());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SelectBench.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root is not above the test binaries");
    }
}
