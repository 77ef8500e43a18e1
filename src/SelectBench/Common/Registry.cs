using System.Reflection;

namespace SelectBench.Common;

/// <summary>
/// Registers a class under a name in the registry of the interface it implements (like timm's
/// <c>@register_model</c>). The class has a public constructor that takes its settings record
/// (<see cref="Settings"/>), or a parameterless one when it has no settings. One attribute line is all a new
/// strategy, metric, job kind, model, encoder, reader, post-step or executor needs: listing, config
/// validation and creation all come from the registry (docs/architecture.md#registries).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RegisteredAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>One line for <c>selectbench list</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary>The settings record the constructor takes; null when the class takes none.</summary>
    public Type? Settings { get; init; }

    /// <summary>Older names that still resolve (kept for one release).</summary>
    public string[] Aliases { get; init; } = [];
}

/// <summary>Settings of a registered class: a record of plain constructor arguments with defaults.</summary>
public interface ISettings
{
    /// <summary>Throws a SelectBenchException naming <paramref name="where"/>.field, the bad value and what is allowed.</summary>
    void Validate(string where);
}

/// <summary>One registered name.</summary>
public sealed record RegistryEntry(string Name, string Description, Type Implementation, Type? Settings, IReadOnlyList<string> Aliases);

/// <summary>A registry seen without its type argument: what listings and conformance tests over every registry use.</summary>
public interface IRegistry
{
    string Kind { get; }
    IReadOnlyList<string> Names { get; }
    IReadOnlyList<RegistryEntry> Entries { get; }
    bool Contains(string name);
    RegistryEntry Get(string name, string? where = null);
    ISettings? DefaultSettings(string name);
    ISettings? BindSettings(string name, IReadOnlyDictionary<string, object?> section, string where);
    object Create(string name, ISettings? settings = null, string? where = null);
}

/// <summary>
/// The registry of one extension point: every class implementing <typeparamref name="T"/> that carries
/// <see cref="RegisteredAttribute"/> in the scanned assemblies, plus any added at run time (a test assembly, a
/// plug-in). <see cref="Names"/> lists, <see cref="Create(string, ISettings?, string?)"/> and
/// <see cref="Create(string, IReadOnlyDictionary{string, object?}, string)"/> make instances, and an unknown
/// name is an error that lists the known ones and suggests the nearest.
/// </summary>
public sealed class Registry<T> : IRegistry where T : class
{
    private readonly object gate = new();
    private readonly Dictionary<string, RegistryEntry> entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> aliases = new(StringComparer.Ordinal);

    /// <summary>What a name in this registry is called in messages: "strategy", "metric", ...</summary>
    public string Kind { get; }

    public Registry(string kind, params Assembly[] assemblies)
    {
        Kind = kind;
        foreach (var assembly in assemblies.DefaultIfEmpty(typeof(T).Assembly).Distinct())
            AddFrom(assembly);
    }

    /// <summary>Registers every marked <typeparamref name="T"/> of an assembly (e.g. a test assembly or a plug-in).</summary>
    public void AddFrom(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
            if (type.GetCustomAttribute<RegisteredAttribute>() != null && typeof(T).IsAssignableFrom(type))
                Add(type);
    }

    /// <summary>Registers one marked class. Registering the same class again does nothing; another class under a taken name is an error.</summary>
    public RegistryEntry Add(Type implementation)
    {
        var attr = implementation.GetCustomAttribute<RegisteredAttribute>()
                   ?? throw new InvalidOperationException($"{implementation.Name} has no [Registered] attribute.");
        if (!typeof(T).IsAssignableFrom(implementation) || implementation.IsAbstract)
            throw new InvalidOperationException($"{implementation.Name} is registered as {Kind} '{attr.Name}' but is not a concrete {typeof(T).Name}.");
        if (attr.Settings != null && !typeof(ISettings).IsAssignableFrom(attr.Settings))
            throw new InvalidOperationException($"{Kind} '{attr.Name}': settings type {attr.Settings.Name} does not implement ISettings.");
        var ctorArgs = attr.Settings == null ? Type.EmptyTypes : [attr.Settings];
        if (implementation.GetConstructor(ctorArgs) == null)
            throw new InvalidOperationException(
                $"{implementation.Name} is registered as {Kind} '{attr.Name}' but has no public constructor taking {(attr.Settings == null ? "no arguments" : attr.Settings.Name)}.");
        var entry = new RegistryEntry(attr.Name, attr.Description, implementation, attr.Settings, attr.Aliases);
        lock (gate)
        {
            if (entries.TryGetValue(attr.Name, out var existing))
            {
                if (existing.Implementation == implementation) return existing;
                throw new InvalidOperationException($"two {Kind} classes are registered as '{attr.Name}': {existing.Implementation.Name} and {implementation.Name}.");
            }
            entries[attr.Name] = entry;
            foreach (var alias in attr.Aliases) aliases[alias] = attr.Name;
        }
        return entry;
    }

    /// <summary>The registered names, sorted (aliases are not listed).</summary>
    public IReadOnlyList<string> Names
    {
        get { lock (gate) return entries.Keys.Order(StringComparer.Ordinal).ToList(); }
    }

    public IReadOnlyList<RegistryEntry> Entries
    {
        get { lock (gate) return entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList(); }
    }

    public bool Contains(string name)
    {
        lock (gate) return entries.ContainsKey(name) || aliases.ContainsKey(name);
    }

    /// <summary>The entry of a name or alias; an unknown name is an error naming <paramref name="where"/>, listing the names and suggesting the nearest.</summary>
    public RegistryEntry Get(string name, string? where = null)
    {
        lock (gate)
        {
            if (entries.TryGetValue(name, out var e)) return e;
            if (aliases.TryGetValue(name, out var canonical)) return entries[canonical];
        }
        var names = Names;
        var hint = Suggest.Nearest(name, names) is { } near ? $"did you mean '{near}'? " : "";
        throw new SelectBenchException(
            $"{(where == null ? "" : where + ": ")}'{name}' is not a known {Kind}; {hint}use one of {string.Join(", ", names)} (selectbench list).");
    }

    /// <summary>The defaults of a name's settings record, or null when it takes none.</summary>
    public ISettings? DefaultSettings(string name) =>
        Get(name).Settings is { } t ? (ISettings)SettingsBinder.Defaults(t) : null;

    /// <summary>Binds a config section (snake_case keys) to a name's settings record and validates it.</summary>
    public ISettings? BindSettings(string name, IReadOnlyDictionary<string, object?> section, string where)
    {
        var entry = Get(name, where);
        if (entry.Settings == null)
        {
            if (section.Count > 0)
                throw new SelectBenchException($"{where}: {Kind} '{entry.Name}' takes no settings; remove {string.Join(", ", section.Keys)}.");
            return null;
        }
        var settings = (ISettings)SettingsBinder.Bind(entry.Settings, section, where);
        settings.Validate(where);
        return settings;
    }

    /// <summary>Creates an instance from settings already bound (or the defaults when null), validating them.</summary>
    public T Create(string name, ISettings? settings = null, string? where = null)
    {
        var entry = Get(name, where);
        where ??= entry.Name;
        if (entry.Settings == null)
        {
            if (settings != null) throw new SelectBenchException($"{where}: {Kind} '{entry.Name}' takes no settings, got {settings.GetType().Name}.");
            return (T)Activator.CreateInstance(entry.Implementation)!;
        }
        settings ??= (ISettings)SettingsBinder.Defaults(entry.Settings);
        if (settings.GetType() != entry.Settings)
            throw new SelectBenchException($"{where}: {Kind} '{entry.Name}' takes {entry.Settings.Name}, not {settings.GetType().Name}.");
        settings.Validate(where);
        try
        {
            return (T)Activator.CreateInstance(entry.Implementation, settings)!;
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    object IRegistry.Create(string name, ISettings? settings, string? where) => Create(name, settings, where);

    /// <summary>Creates an instance from a config section (keys in snake_case), e.g. parsed YAML.</summary>
    public T Create(string name, IReadOnlyDictionary<string, object?> section, string where) =>
        Create(name, BindSettings(name, section, where), where);
}

/// <summary>"Did you mean" suggestions by edit distance.</summary>
public static class Suggest
{
    /// <summary>The candidate closest to <paramref name="name"/> (case-insensitive Levenshtein), when it is close enough to be a typo.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best != null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
