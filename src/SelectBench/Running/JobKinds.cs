using System.Reflection;
using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// What a job does. One class per kind, with a parameterless constructor: <see cref="JobKinds.Discover"/>
/// finds it by reflection, so adding a kind is adding one file. <see cref="Run"/> reads its settings and
/// dependencies from the context, writes its artefacts into <see cref="JobContext.OutputDir"/> and calls
/// <see cref="JobContext.WriteResult"/>; it throws to fail.
/// </summary>
public interface IJobKind
{
    string Name { get; }
    void Run(JobContext context);
}

/// <summary>The registry of job kinds by name (like timm's model registry).</summary>
public sealed class JobKinds
{
    private readonly Dictionary<string, IJobKind> _kinds = new(StringComparer.Ordinal);

    /// <summary>Every kind in the SelectBench library plus the entry assembly (the CLI).</summary>
    public static JobKinds Default()
    {
        var assemblies = new List<Assembly> { typeof(JobKinds).Assembly };
        if (Assembly.GetEntryAssembly() is { } entry && entry != typeof(JobKinds).Assembly) assemblies.Add(entry);
        return Discover([.. assemblies]);
    }

    /// <summary>Registers every concrete <see cref="IJobKind"/> with a parameterless constructor in the assemblies.</summary>
    public static JobKinds Discover(params Assembly[] assemblies)
    {
        var kinds = new JobKinds();
        foreach (var type in assemblies.SelectMany(LoadableTypes))
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IJobKind).IsAssignableFrom(type)) continue;
            if (type.GetConstructor(Type.EmptyTypes) is null) continue;
            kinds.Add((IJobKind)Activator.CreateInstance(type)!);
        }
        return kinds;
    }

    // An assembly with an unloadable optional dependency still contributes the types that did load.
    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    public JobKinds Add(IJobKind kind)
    {
        if (_kinds.TryGetValue(kind.Name, out var existing) && existing.GetType() != kind.GetType())
            throw new InvalidOperationException(
                $"job kind '{kind.Name}' is registered twice: {existing.GetType().FullName} and {kind.GetType().FullName}.");
        _kinds[kind.Name] = kind;
        return this;
    }

    public IReadOnlyCollection<string> Names => _kinds.Keys;

    public bool Contains(string name) => _kinds.ContainsKey(name);

    public IJobKind Get(string name) =>
        _kinds.TryGetValue(name, out var kind)
            ? kind
            : throw new SelectBenchException(
                $"unknown job kind '{name}'. Known kinds: {string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal))}.");
}
