namespace SelectBench.Tests.Cli;

/// <summary>`predict` refuses what it cannot run before any job starts.</summary>
public class PredictCommandTests
{
    [Fact]
    public void WithoutAFullRunAnOutputFolderIsRequired()
    {
        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("predict", "--profile", "tiny"));
        Assert.Contains("--out is required without --full", e.Message);
        e = Assert.ThrowsAny<Exception>(() => CliHost.Run("predict", "--out", "unused"));
        Assert.Contains("exactly one of --profile NAME or --config FILE", e.Message);
    }

    [Fact]
    public void AnUnknownProxyOrAMissingFullRunIsNamed()
    {
        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("predict", "--profile", "tiny", "--out", "unused", "--proxies", "knn,train-w025"));
        Assert.Contains("'train-w025' is not a proxy", e.Message);
        Assert.Contains("did you mean 'train-w0.25'", e.Message);
        var missing = Path.Combine(Path.GetTempPath(), "sb-no-such-run-" + Guid.NewGuid().ToString("N"));
        e = Assert.ThrowsAny<Exception>(() => CliHost.Run("predict", "--profile", "tiny", "--full", missing));
        Assert.Contains("no such run folder", e.Message);
        Assert.False(Directory.Exists(missing));
    }
}
