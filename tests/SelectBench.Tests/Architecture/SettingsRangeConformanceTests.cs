using System.Collections;
using System.Reflection;
using SelectBench.Benchmark;
using SelectBench.Common;
using System.Text.Json.Nodes;
using SelectBench.Curation;
using SelectBench.Encoders;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Evaluation.Suite;
using SelectBench.Running.TestJobs;
using SelectBench.Training;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// Every numeric setting a config can reach has a checked range (issue 12 item 5): for each settings record (every
/// registered entry's settings, and the run config's own records), every int, long and double field, nested records
/// and lists of numbers included, is set to a clearly invalid value, and the record's Validate must refuse it with a
/// <see cref="SelectBenchException"/> naming the field in snake_case. A field that is not checked would be accepted at
/// load and fail late, or worse, produce scores (transfer.steps: -3 once published transfer scores).
/// </summary>
public class SettingsRangeConformanceTests
{
    /// <summary>
    /// Fields where a negative value is legitimately allowed, with a value that is still out of range (null: every
    /// value of the type is valid). Keyed by record type and snake_case field name.
    /// </summary>
    private static readonly Dictionary<(Type Record, string Field), object[]?> AllowedNegative = new()
    {
        // Seeds only select a random stream: every int or long is a valid seed.
        [(typeof(KnnSuiteSettings), "seed")] = null,
        [(typeof(QualitySettings), "seed")] = null,
        [(typeof(TrainingRecipe), "seed")] = null,
        [(typeof(FashionMnistPlusSettings), "seed")] = null,
        [(typeof(RunWorldSettings), "seed")] = null,
        [(typeof(SimClrSettings), "seed")] = null,
        [(typeof(TransferSettings), "seed")] = null,
        [(typeof(TrainJobSettings), "fraction_seed")] = null,
        [(typeof(ReportJobSettings), "seeds")] = null,
        // A self-test job's value is any finite number (negative sums are fine).
        [(typeof(SelfTestSumSettings), "value")] = [double.NaN, double.PositiveInfinity],
        [(typeof(SelfTestFaultSettings), "value")] = [double.NaN, double.PositiveInfinity],
        // A cosine threshold lives in [-1, 1]: 2 and NaN are out of range.
        [(typeof(QualitySettings), "duplicate_threshold")] = [2.0, double.NaN],
    };

    /// <summary>
    /// A valid instance: the record's defaults, with the fields a job's settings leave empty (names, nested records,
    /// lists) filled in, and the CLIP pair's required files pointing at a placeholder.
    /// </summary>
    private static object Baseline(Type type)
    {
        if (type == typeof(ClipPairSettings))
            return new ClipPairSettings(PlaceholderFile, PlaceholderFile, PlaceholderFile, PlaceholderFile);
        if (type == typeof(TrainingRecipe))
            return TrainingRecipe.Default; // init is an optional .pth path: null (random init) is its valid default, "x" is not
        var value = SettingsBinder.Defaults(type);
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        foreach (var p in ctor.GetParameters())
        {
            var property = type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance);
            if (property?.SetMethod is null || property.GetValue(value) is { } current && !(current is string { Length: 0 })) continue;
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t == typeof(string)) property.SetValue(value, "x");
            else if (t == typeof(JsonObject)) property.SetValue(value, new JsonObject());
            else if (ElementType(t) is { } element) property.SetValue(value, Array.CreateInstance(element, 0));
            else if (TryBaseline(t) is { } nested) property.SetValue(value, nested);
        }
        return value;
    }

    /// <summary>A nested record's baseline, or null for one bound by hand rather than from its constructor (data: sources).</summary>
    private static object? TryBaseline(Type type)
    {
        if (!IsSettingsRecord(type)) return null;
        try
        {
            return Baseline(type);
        }
        catch (SelectBenchException)
        {
            return null;
        }
    }

    private static readonly string PlaceholderFile = CreatePlaceholder();

    private static string CreatePlaceholder()
    {
        var path = Path.Combine(Path.GetTempPath(), "selectbench-settings-range-placeholder.onnx");
        if (!File.Exists(path)) File.WriteAllBytes(path, [0]);
        return path;
    }

    /// <summary>The records a config binds, each validated the way loading it does.</summary>
    private static IEnumerable<(string Name, Type Type)> Roots()
    {
        foreach (var section in RegistryCatalog.Sections)
            foreach (var entry in section.Registry.Entries)
                if (entry.Settings is { } t && t.Assembly == typeof(SelectBenchException).Assembly)
                    yield return ($"{section.Name}/{entry.Name}", t);
        yield return ("run/world", typeof(RunWorldSettings));
        yield return ("run/evaluation", typeof(RunEvaluationSettings));
        yield return ("run/executor", typeof(RunExecutorSettings));
        yield return ("run/training", typeof(TrainingRecipe));
        yield return ("world", typeof(FashionMnistPlusSettings));
        yield return ("curation/encoder", typeof(CurationEncoderSettings));
        yield return ("curation/costs", typeof(CostModel));
        yield return ("curation/search", typeof(CurationSearchSettings));
        yield return ("ssl", typeof(SimClrSettings));
    }

    public static TheoryData<string> RootNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Roots().DistinctBy(r => r.Name)) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RootNames))]
    public void Every_numeric_field_has_a_checked_range(string root)
    {
        var type = Roots().First(r => r.Name == root).Type;
        var baseline = Baseline(type);
        Validate(baseline); // the defaults themselves must pass
        var failures = new List<string>();
        foreach (var (path, mutated, bad) in Mutations(type, baseline, ""))
        {
            try
            {
                Validate(mutated);
                failures.Add($"{path} = {bad}: accepted");
            }
            catch (SelectBenchException e)
            {
                if (!NamesInOrder(e.Message, path.Split('.')))
                    failures.Add($"{path} = {bad}: refused, but the message does not name '{path}': {e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"{path} = {bad}: {e.GetType().Name} instead of a SelectBenchException: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"{root} ({type.Name}):\n" + string.Join("\n", failures));
    }

    /// <summary>The message names every segment of the path, in order ("where.recipe: Recipe field 'epochs'" names recipe.epochs).</summary>
    private static bool NamesInOrder(string message, IEnumerable<string> segments)
    {
        int at = 0;
        foreach (var segment in segments)
        {
            int found = message.IndexOf(segment, at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + segment.Length;
        }
        return true;
    }

    private static void Validate(object settings)
    {
        if (settings is ISettings s)
        {
            s.Validate("where");
            return;
        }
        var validate = settings.GetType().GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, [typeof(string)])
                       ?? settings.GetType().GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)
                       ?? throw new InvalidOperationException($"{settings.GetType().Name} has no Validate method; give it one that checks every field.");
        try
        {
            validate.Invoke(settings, validate.GetParameters().Length == 1 ? ["where"] : []);
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }

    /// <summary>Every (snake_case path, copy of the record with that field made invalid, the bad value).</summary>
    private static IEnumerable<(string Path, object Mutated, string Bad)> Mutations(Type type, object value, string prefix)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        foreach (var p in ctor.GetParameters())
        {
            var field = SettingsBinder.SnakeCase(p.Name!);
            var path = prefix + field;
            var property = type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance);
            if (property?.SetMethod is null) continue;
            var fieldType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            IEnumerable<object?> bads;
            if (AllowedNegative.TryGetValue((type, field), out var allowedBads))
                bads = allowedBads ?? [];
            else
                bads = BadValues(fieldType) ?? [];
            foreach (var bad in bads)
                yield return (path, With(value, property, bad), Show(bad));
            if (ElementType(fieldType) is { } element && BadValues(element) is { } elementBads)
            {
                var allowed = AllowedNegative.TryGetValue((type, field), out var a) ? a ?? [] : elementBads;
                foreach (var bad in allowed)
                {
                    var list = Array.CreateInstance(element, 2);
                    list.SetValue(bad, 0);
                    list.SetValue(System.Convert.ChangeType(4, element, System.Globalization.CultureInfo.InvariantCulture), 1);
                    yield return (path, With(value, property, list), $"[{Show(bad)}, 4]");
                }
            }
            if (IsSettingsRecord(fieldType))
            {
                if ((property.GetValue(value) ?? TryBaseline(fieldType)) is not { } nested) continue;
                foreach (var (nestedPath, nestedMutated, bad) in Mutations(fieldType, nested, path + "."))
                    yield return (nestedPath, With(value, property, nestedMutated), bad);
            }
        }
    }

    private static object?[]? BadValues(Type t) =>
        t == typeof(int) ? [-3, -1_000_000_000]
        : t == typeof(long) ? [-3L, -1_000_000_000L]
        : t == typeof(double) ? [double.NaN, double.PositiveInfinity, -1e9]
        : null;

    private static Type? ElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && t.GetGenericTypeDefinition() is var d && (d == typeof(IReadOnlyList<>) || d == typeof(IList<>) || d == typeof(List<>)))
            return t.GetGenericArguments()[0];
        return null;
    }

    private static bool IsSettingsRecord(Type t) =>
        t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t)
        && t.Assembly == typeof(SelectBenchException).Assembly && t.GetMethod("<Clone>$") != null;

    private static object With(object record, PropertyInfo property, object? value)
    {
        var copy = record.GetType().GetMethod("<Clone>$")!.Invoke(record, [])!;
        property.SetValue(copy, value);
        return copy;
    }

    private static string Show(object? v) => v is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : v?.ToString() ?? "null";
}
