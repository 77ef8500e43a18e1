using System.Reflection;
using System.Reflection.Emit;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// Which types each type of an assembly uses, read from the compiled assembly: base types, interfaces, field,
/// property, parameter and return types, generic arguments, attributes, and every type, method or field token
/// in the method bodies' IL (calls, object creation, field access, casts, typeof). Constants are inlined by
/// the compiler and are not seen; everything else that makes one type need another is.
/// </summary>
internal static class TypeDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                            BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>For each type of the assembly (nested types fold into their outermost type), the types it uses.</summary>
    public static Dictionary<Type, HashSet<Type>> Of(Assembly assembly)
    {
        var result = new Dictionary<Type, HashSet<Type>>();
        foreach (var type in assembly.GetTypes())
        {
            var owner = Outermost(type);
            if (!result.TryGetValue(owner, out var used)) result[owner] = used = [];
            void Add(Type? t)
            {
                if (t == null) return;
                if (t.HasElementType) { Add(t.GetElementType()); return; }
                if (t.IsGenericType && !t.IsGenericTypeDefinition) foreach (var a in t.GetGenericArguments()) Add(a);
                if (t.IsGenericParameter) return;
                if (t.Assembly == assembly) used.Add(Outermost(t.IsGenericType ? t.GetGenericTypeDefinition() : t));
            }
            Add(type.BaseType);
            foreach (var i in type.GetInterfaces()) Add(i);
            foreach (var a in type.GetCustomAttributesData()) Add(a.AttributeType);
            foreach (var f in type.GetFields(Everything)) Add(f.FieldType);
            foreach (var p in type.GetProperties(Everything)) Add(p.PropertyType);
            foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                if (m is MethodInfo mi) Add(mi.ReturnType);
                foreach (var p in m.GetParameters()) Add(p.ParameterType);
                foreach (var a in m.GetCustomAttributesData()) Add(a.AttributeType);
                var body = SafeBody(m);
                if (body == null) continue;
                foreach (var l in body.LocalVariables) Add(l.LocalType);
                foreach (var member in Tokens(m, body.GetILAsByteArray()!))
                    switch (member)
                    {
                        case Type t: Add(t); break;
                        case MethodBase mb: Add(mb.DeclaringType); break;
                        case FieldInfo fi: Add(fi.DeclaringType); Add(fi.FieldType); break;
                    }
            }
        }
        foreach (var (t, used) in result) used.Remove(t);
        return result;
    }

    private static MethodBody? SafeBody(MethodBase m)
    {
        try { return m.GetMethodBody(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { return null; }
    }

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType != null) t = t.DeclaringType;
        return t;
    }

    /// <summary>The members named by the metadata tokens of an IL stream.</summary>
    private static IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            if (!OpCodesByValue.TryGetValue(value, out var op)) yield break;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: pos += 1; break;
                case OperandType.InlineVar: pos += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: pos += 8; break;
                case OperandType.InlineSwitch: pos += 4 + 4 * BitConverter.ToInt32(il, pos); break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    {
                        int token = BitConverter.ToInt32(il, pos);
                        pos += 4;
                        MemberInfo? member = null;
                        try { member = method.Module.ResolveMember(token, typeArgs, methodArgs); }
                        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException) { }
                        if (member != null) yield return member;
                        break;
                    }
                default: pos += 4; break;
            }
        }
    }
}
