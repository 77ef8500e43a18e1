namespace SelectBench.Tests.Cli;

/// <summary>`evaluate` scores a classifier (what `eval` did) or, with --suite, runs the metric suite (what `evaluate` did).</summary>
public class EvaluateCommandTests
{
    [Fact]
    public void WithoutSuiteAModelIsRequired()
    {
        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("evaluate", "--out", "unused"));
        Assert.Contains("--model is required", e.Message);
        e = Assert.ThrowsAny<Exception>(() => CliHost.Run("eval", "--data", "fashion-mnist:test", "--out", "unused"));
        Assert.Contains("--model is required", e.Message);
    }

    [Fact]
    public void SuiteInputsWithoutSuiteAreAnError()
    {
        var e = Assert.ThrowsAny<Exception>(() => CliHost.Run("evaluate", "--model", "m.ckpt", "--natural", "hard=x", "--out", "unused"));
        Assert.Contains("name its metrics with --suite", e.Message);
    }
}
