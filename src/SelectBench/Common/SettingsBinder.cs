using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using SelectBench.Common;

namespace SelectBench.Common;

/// <summary>
/// Binds a config section (snake_case keys; values from YAML or JSON) to a settings record through its
/// primary constructor. Unknown keys and unconvertible values are errors that name the field, the bad
/// value and what is allowed; omitted keys keep the record's defaults.
/// </summary>
public static class SettingsBinder
{
    /// <summary>Parses a YAML mapping into plain dictionaries, lists and scalar strings (through <see cref="SafeYaml"/>).</summary>
    public static IReadOnlyDictionary<string, object?> ParseYaml(string yaml, string where) => SafeYaml.ParseMapping(yaml, where);

    /// <summary>Parses a JSON object into plain dictionaries, lists and scalar strings.</summary>
    public static IReadOnlyDictionary<string, object?> ParseJson(string json, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SelectBenchException($"{where}: expected a JSON object.");
            return (IReadOnlyDictionary<string, object?>)FromJson(doc.RootElement)!;
        }
        catch (JsonException e)
        {
            throw new SelectBenchException($"{where}: not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>The record with every constructor argument at its default.</summary>
    public static object Defaults(Type type) => Bind(type, new Dictionary<string, object?>(), type.Name);

    public static T Bind<T>(IReadOnlyDictionary<string, object?> section, string where) => (T)Bind(typeof(T), section, where);

    public static object Bind(Type type, IReadOnlyDictionary<string, object?> section, string where)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = ctor.GetParameters();
        var byKey = parameters.ToDictionary(p => SnakeCase(p.Name!), StringComparer.Ordinal);
        foreach (var key in section.Keys)
            if (!byKey.ContainsKey(key))
                throw new SelectBenchException($"{where}.{key}: unknown setting; allowed: {string.Join(", ", byKey.Keys)}.");
        var args = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var key = SnakeCase(p.Name!);
            if (section.TryGetValue(key, out var value))
                args[i] = Convert(value, p.ParameterType, $"{where}.{key}");
            else if (p.HasDefaultValue)
                args[i] = p.DefaultValue;
            else
                throw new SelectBenchException($"{where}.{key}: required setting is missing.");
        }
        try
        {
            return ctor.Invoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is SelectBenchException inner)
        {
            throw inner;
        }
    }

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static object? Convert(object? value, Type target, string field)
    {
        var underlying = Nullable.GetUnderlyingType(target);
        if (underlying != null)
            return value is null or "" or "null" or "~" ? null : Convert(value, underlying, field);
        if (target == typeof(string))
            return value as string ?? throw Bad(field, value, "a text value");
        if (target == typeof(int))
            return value is string s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Bad(field, value, "an integer");
        if (target == typeof(long))
            return value is string s2 && long.TryParse(s2, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : throw Bad(field, value, "an integer");
        if (target == typeof(double))
            return value is string s3 && double.TryParse(s3, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(field, value, "a number");
        if (target == typeof(bool))
            return value is string s4 && bool.TryParse(s4, out var b) ? b : throw Bad(field, value, "true or false");
        if (target == typeof(string[]) || target == typeof(IReadOnlyList<string>))
        {
            if (value is string single) return new[] { single };
            if (value is IReadOnlyList<object?> list)
                return list.Select((x, k) => (string)Convert(x, typeof(string), $"{field}[{k}]")!).ToArray();
            throw Bad(field, value, "a list of names");
        }
        if (target == typeof(int[]) || target == typeof(IReadOnlyList<int>))
            return ConvertList<int>(value, field, "a list of integers");
        if (target == typeof(double[]) || target == typeof(IReadOnlyList<double>))
            return ConvertList<double>(value, field, "a list of numbers");
        if (value is IReadOnlyDictionary<string, object?> nested && target.IsClass)
            return Bind(target, nested, field);
        throw Bad(field, value, $"a {target.Name}");
    }

    private static T[] ConvertList<T>(object? value, string field, string allowed)
    {
        if (value is string) return [(T)Convert(value, typeof(T), field)!];
        if (value is IReadOnlyList<object?> list)
            return list.Select((x, k) => (T)Convert(x, typeof(T), $"{field}[{k}]")!).ToArray();
        throw Bad(field, value, allowed);
    }

    private static SelectBenchException Bad(string field, object? value, string allowed) =>
        new($"{field}: {Describe(value)} is not allowed; give {allowed}.");

    private static string Describe(object? value) => value switch
    {
        null => "an empty value",
        string s => $"'{s}'",
        IReadOnlyList<object?> => "a list",
        _ => "a mapping",
    };

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Null => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    };
}
