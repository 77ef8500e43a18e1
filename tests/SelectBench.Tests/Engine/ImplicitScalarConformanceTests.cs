using SelectBench.Engine;
using TorchSharp;

namespace SelectBench.Tests.Engine;

/// <summary>
/// Enforces the rule of <see cref="Scalars"/> over the compiled IL: no code of ours lets C# or TorchSharp create
/// a Scalar implicitly, because the finalizer may free such a Scalar while libtorch still reads it. Forbidden:
/// (1) calls to <c>Scalar.op_Implicit</c>; (2) calls to TorchSharp methods that create Scalars implicitly
/// inside (found by scanning TorchSharp's own IL, transitively: <c>a + b</c>, <c>x.add_(y)</c>, <c>arange</c>, ...);
/// (3) creating a TorchSharp type whose virtual methods do so (<c>optim.SGD</c>, <c>nn.BatchNorm2d</c>), unless
/// it is the base of a type of ours that overrides those methods (<see cref="ScalarSafeSgd"/>).
/// </summary>
public sealed class ImplicitScalarConformanceTests
{
    private const string ImplicitConversion = "TorchSharp.Scalar::op_Implicit";

    [Fact]
    public void No_code_of_ours_creates_a_TorchSharp_Scalar_implicitly()
    {
        var torchSharp = new IlCallGraph(typeof(torch).Assembly.Location);
        var tainted = TaintedMethods(torchSharp);
        var taintedVirtuals = torchSharp.Methods.Where(m => m.IsVirtual && tainted.Contains(m.Name)).ToList();
        Assert.Contains(taintedVirtuals, m => m.Name.StartsWith("TorchSharp.Modules.SGD::step", StringComparison.Ordinal));
        Assert.Contains(taintedVirtuals, m => m.Name.StartsWith("TorchSharp.Modules.BatchNorm::forward", StringComparison.Ordinal));
        Assert.Contains("TorchSharp.torch+Tensor::add_(TorchSharp.torch+Tensor)", tainted);

        var byName = torchSharp.Methods.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var virtualsByType = torchSharp.Methods.Where(m => m.IsVirtual).GroupBy(m => m.Type)
            .ToDictionary(g => g.Key, g => g.Select(m => ShortName(m.Name)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var violations = new List<string>();
        foreach (var assembly in new[] { typeof(Scalars).Assembly, typeof(SelectBench.Cli.CommandRegistry).Assembly })
        {
            var ours = new IlCallGraph(assembly.Location);
            foreach (var method in ours.Methods)
                foreach (var callee in method.Calls)
                {
                    string? why = null;
                    if (callee.StartsWith(ImplicitConversion, StringComparison.Ordinal)) why = "converts a number to a Scalar implicitly";
                    else if (tainted.Contains(callee)) why = "calls a TorchSharp method that creates a Scalar implicitly";
                    else if (CreatesTaintedType(callee, method, torchSharp, byName, virtualsByType, taintedVirtuals, ours) is { } type)
                        why = $"creates a {type}, whose {string.Join(", ", taintedVirtuals.Where(v => InChain(torchSharp, type, v.Type)).Select(v => ShortName(v.Name)))} create Scalars implicitly";
                    if (why is not null) violations.Add($"{method.Name} -> {callee}: {why}");
                }
        }
        Assert.True(violations.Count == 0,
            "Use SelectBench.Engine.Scalars (a rooted constant, or a helper that keeps the Scalar alive), ScalarSafeSgd/Adam or " +
            "ScalarSafeBatchNorm2d instead (docs/engine.md):\n" + string.Join("\n", violations.Distinct()));
    }

    /// <summary>TorchSharp methods that create a Scalar implicitly, directly or through other TorchSharp methods.</summary>
    private static HashSet<string> TaintedMethods(IlCallGraph torchSharp)
    {
        var callers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var tainted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in torchSharp.Methods)
            foreach (var c in m.Calls)
            {
                if (c.StartsWith(ImplicitConversion, StringComparison.Ordinal) || c.StartsWith("TorchSharp.ScalarExtensionMethods::ToScalar", StringComparison.Ordinal))
                    tainted.Add(m.Name);
                if (!callers.TryGetValue(c, out var list)) callers[c] = list = [];
                list.Add(m.Name);
            }
        // ToScalar itself is the explicit conversion our code uses with 'using'; the implicit operator calls it.
        tainted.RemoveWhere(n => n.StartsWith("TorchSharp.ScalarExtensionMethods::ToScalar", StringComparison.Ordinal)
                                 || n.StartsWith(ImplicitConversion, StringComparison.Ordinal));
        var queue = new Queue<string>(tainted);
        while (queue.Count > 0)
            if (callers.TryGetValue(queue.Dequeue(), out var list))
                foreach (var caller in list)
                    if (!caller.StartsWith(ImplicitConversion, StringComparison.Ordinal) && tainted.Add(caller)) queue.Enqueue(caller);
        return tainted;
    }

    /// <summary>
    /// The TorchSharp type a call creates (a constructor, or a factory returning it) when that type, or a base
    /// it does not override, has a virtual method that creates Scalars implicitly; null otherwise. A base
    /// constructor called from a type of ours that overrides every such method is allowed.
    /// </summary>
    private static string? CreatesTaintedType(string callee, IlCallGraph.Method caller, IlCallGraph torchSharp,
                                              IReadOnlyDictionary<string, IlCallGraph.Method> byName,
                                              IReadOnlyDictionary<string, HashSet<string>> virtualsByType,
                                              IReadOnlyList<IlCallGraph.Method> taintedVirtuals, IlCallGraph ours)
    {
        string? created = null;
        var calleeType = callee[..callee.IndexOf("::", StringComparison.Ordinal)];
        if (callee.Contains("::.ctor(", StringComparison.Ordinal)) created = calleeType;
        else
        {
            if (byName.TryGetValue(callee, out var target)) created = target.ReturnType;
        }
        if (created is null || !created.StartsWith("TorchSharp.", StringComparison.Ordinal)) return null;
        var offending = taintedVirtuals.Where(v => InChain(torchSharp, created, v.Type) && !OverriddenBelow(torchSharp, virtualsByType, created, v)).ToList();
        if (offending.Count == 0) return null;
        if (caller.IsConstructor && ours.BaseTypes.TryGetValue(caller.Type, out var baseType) && baseType == created)
        {
            bool overridesAll = offending.All(v => ours.Methods.Any(m => m.Type == caller.Type && m.IsVirtual && ShortName(m.Name) == ShortName(v.Name)));
            if (overridesAll) return null;
        }
        return created;
    }

    /// <summary>True when <paramref name="type"/> is <paramref name="ancestor"/> or derives from it (within TorchSharp).</summary>
    private static bool InChain(IlCallGraph torchSharp, string type, string ancestor)
    {
        for (string? t = type; t is not null; t = torchSharp.BaseTypes.GetValueOrDefault(t))
            if (t == ancestor) return true;
        return false;
    }

    /// <summary>True when a type between <paramref name="type"/> and the tainted method's type overrides it cleanly.</summary>
    private static bool OverriddenBelow(IlCallGraph torchSharp, IReadOnlyDictionary<string, HashSet<string>> virtualsByType, string type,
                                        IlCallGraph.Method taintedVirtual)
    {
        for (string? t = type; t is not null && t != taintedVirtual.Type; t = torchSharp.BaseTypes.GetValueOrDefault(t))
            if (virtualsByType.TryGetValue(t, out var names) && names.Contains(ShortName(taintedVirtual.Name)))
                return true;
        return false;
    }

    private static string ShortName(string methodName) => methodName[(methodName.IndexOf("::", StringComparison.Ordinal) + 2)..];
}
