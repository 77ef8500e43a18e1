using System.Diagnostics;
using SelectBench.Common;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>What one suite run produced: every metric's values, and the seconds each family took.</summary>
public sealed record SuiteResult(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// Runs named metrics over one set of inputs. Each metric writes its exports into
/// <c>&lt;out&gt;/&lt;metric&gt;/</c> and its values into <c>&lt;out&gt;/&lt;metric&gt;/result.json</c>; the
/// merged values go to <c>&lt;out&gt;/metrics.json</c>. A metric whose result file exists is not run again,
/// so an interrupted evaluation resumes where it stopped.
/// </summary>
public static class EvalSuite
{
    private sealed record StoredResult(string Metric, double Seconds, IReadOnlyDictionary<string, Interval> Values, object? Details);

    /// <param name="onNote">Receives how eval sets are fitted to the classifier (a resize); null prints them.</param>
    public static SuiteResult Run(IReadOnlyList<string> metrics, EvalInputs inputs, string outputFolder, bool force = false,
        Action<string>? onNote = null)
    {
        if (metrics.Count == 0) throw new SelectBenchException($"No metrics to run. Known metrics: {string.Join(", ", EvalMetrics.Names)}.");
        foreach (var note in CheckClassifierInputs(inputs))
            (onNote ?? (n => Console.WriteLine($"input:  {n}")))(note);
        var instances = metrics.Distinct().Select(m => (Name: m, Metric: EvalMetrics.Create(m))).ToList();
        Directory.CreateDirectory(outputFolder);
        inputs = inputs with
        {
            Classifier = MemoizingClassifier.Wrap(inputs.Classifier),
            ReferenceClassifier = MemoizingClassifier.Wrap(inputs.ReferenceClassifier),
        };
        var values = new Dictionary<string, Interval>();
        var seconds = new Dictionary<string, double>();
        foreach (var (name, metric) in instances)
        {
            var folder = Path.Combine(outputFolder, name);
            var resultPath = Path.Combine(folder, "result.json");
            StoredResult stored;
            if (!force && File.Exists(resultPath))
            {
                stored = Json.Read<StoredResult>(resultPath);
            }
            else
            {
                Directory.CreateDirectory(folder);
                var clock = Stopwatch.StartNew();
                var result = metric.Evaluate(inputs, folder);
                stored = new StoredResult(name, clock.Elapsed.TotalSeconds, result.Values, result.Details);
                AtomicFile.WriteJson(resultPath, stored);
            }
            foreach (var (key, value) in stored.Values) values[key] = value;
            seconds[name] = stored.Seconds;
        }
        AtomicFile.WriteJson(Path.Combine(outputFolder, "metrics.json"), new { values, seconds });
        return new SuiteResult(values, seconds);
    }

    /// <summary>
    /// Every set a classifier of the inputs is fed, checked against what it takes (<see cref="ClassifierInput"/>):
    /// a channel mismatch is refused before any metric runs; the notes say which sets are resized.
    /// </summary>
    private static List<string> CheckClassifierInputs(EvalInputs inputs)
    {
        var notes = new List<string?> { ClassifierInput.Check(inputs.Classifier, inputs.BaseSet, "base set") };
        foreach (var natural in inputs.NaturalSets)
            notes.Add(ClassifierInput.Check(inputs.Classifier, natural.Images, $"natural set '{natural.Name}'"));
        notes.Add(ClassifierInput.Check(inputs.ReferenceClassifier, inputs.Shift, "shift (scored by the reference classifier)"));
        return notes.OfType<string>().ToList();
    }
}
