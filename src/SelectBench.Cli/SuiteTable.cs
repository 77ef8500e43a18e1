using System.Globalization;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Cli;

/// <summary>How `evaluate` and `analyse` print a suite's values: one line per value with its interval, then the seconds per metric.</summary>
internal static class SuiteTable
{
    public static void Print(SuiteResult result)
    {
        foreach (var (name, v) in result.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-36} {v.Estimate,10:0.####}  [{v.Low:0.####}, {v.High:0.####}]"));
        foreach (var (name, sec) in result.Seconds)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  time {name,-31} {sec,10:0.0} s"));
    }
}
