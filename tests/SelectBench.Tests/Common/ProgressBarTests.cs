using SelectBench.Common;

namespace SelectBench.Tests.Common;

public class ProgressBarTests
{
    [Fact]
    public void Reporting_from_the_first_step_does_not_throw()
    {
        // Regression: the first Report once overflowed computing the time since a "never drawn" sentinel.
        bool was = ProgressBar.Enabled;
        ProgressBar.Enabled = true;
        try
        {
            using var bar = new ProgressBar("test", 3);
            bar.Report(1, "loss=1.0");
            bar.Advance(2);
        }
        finally { ProgressBar.Enabled = was; }
    }

    [Fact]
    public void Eta_follows_the_average_rate()
    {
        Assert.Null(ProgressBar.Eta(0, 10, TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(30), ProgressBar.Eta(10, 40, TimeSpan.FromSeconds(10)));
    }
}
