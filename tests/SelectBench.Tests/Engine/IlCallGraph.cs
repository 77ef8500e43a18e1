using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace SelectBench.Tests.Engine;

/// <summary>
/// The calls each method of an assembly makes, read from its IL (call, callvirt, newobj, ldftn, ldvirtftn),
/// with callees named "Namespace.Type::Method(ParamTypes)" so that names from different assemblies match.
/// Also records, per method, whether it is virtual and which type it belongs to, and each type's base type.
/// </summary>
internal sealed class IlCallGraph
{
    public sealed record Method(string Name, string Type, bool IsVirtual, bool IsConstructor, string ReturnType, IReadOnlyList<string> Calls);

    public IReadOnlyList<Method> Methods { get; }

    /// <summary>Type name to its base type's name (types defined in this assembly).</summary>
    public IReadOnlyDictionary<string, string> BaseTypes { get; }

    private readonly MetadataReader md;

    public IlCallGraph(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        md = pe.GetMetadataReader();
        var methods = new List<Method>();
        var bases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var th in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(th);
            var typeName = TypeDefName(th);
            if (!type.BaseType.IsNil) bases[typeName] = TypeName(type.BaseType);
            foreach (var mh in type.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                var calls = new List<string>();
                if (m.RelativeVirtualAddress != 0) ReadCalls(pe.GetMethodBody(m.RelativeVirtualAddress).GetILReader(), calls);
                var name = md.GetString(m.Name);
                var sig = Signature(m.Signature);
                methods.Add(new Method($"{typeName}::{name}{sig.Parameters}", typeName,
                    (m.Attributes & System.Reflection.MethodAttributes.Virtual) != 0, name is ".ctor", sig.Return, calls));
            }
        }
        Methods = methods;
        BaseTypes = bases;
    }

    private void ReadCalls(BlobReader il, List<string> calls)
    {
        while (il.RemainingBytes > 0)
        {
            int op = il.ReadByte();
            if (op == 0xFE) op = 0xFE00 | il.ReadByte();
            if (op is 0x28 or 0x6F or 0x73 or 0xFE06 or 0xFE07) calls.Add(MemberName(MetadataTokens.EntityHandle(il.ReadInt32())));
            else il.Offset += OperandSize(op, ref il);
        }
    }

    /// <summary>Bytes of an IL operand (ECMA-335 partition III); switch reads its own length.</summary>
    private static int OperandSize(int op, ref BlobReader il) => op switch
    {
        0x45 => 4 * il.ReadInt32(),
        0x21 or 0x23 => 8,
        0x20 or 0x22 or (>= 0x38 and <= 0x44) or 0xDD => 4,
        0x1F or (>= 0x2B and <= 0x37) or 0xDE or (>= 0x0E and <= 0x13) => 1,
        0x27 or 0x29 or 0x70 or 0x71 or 0x72 or 0x74 or 0x75 or 0x79 or (>= 0x7B and <= 0x81) or 0x8C or 0x8D or 0x8F
            or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 => 4,
        0xFE15 or 0xFE16 or 0xFE1C or 0xFE1D => 4,
        (>= 0xFE09 and <= 0xFE0E) => 2,
        0xFE12 or 0xFE19 => 1,
        _ => 0,
    };

    private string MemberName(EntityHandle h)
    {
        switch (h.Kind)
        {
            case HandleKind.MemberReference:
                var mr = md.GetMemberReference((MemberReferenceHandle)h);
                if (mr.GetKind() != MemberReferenceKind.Method) return "field";
                return $"{TypeName(mr.Parent)}::{md.GetString(mr.Name)}{Signature(mr.Signature).Parameters}";
            case HandleKind.MethodDefinition:
                var d = md.GetMethodDefinition((MethodDefinitionHandle)h);
                return $"{TypeDefName(d.GetDeclaringType())}::{md.GetString(d.Name)}{Signature(d.Signature).Parameters}";
            case HandleKind.MethodSpecification:
                return MemberName(md.GetMethodSpecification((MethodSpecificationHandle)h).Method);
            default:
                return "?";
        }
    }

    private string TypeName(EntityHandle h) => h.Kind switch
    {
        HandleKind.TypeReference => TypeRefName((TypeReferenceHandle)h),
        HandleKind.TypeDefinition => TypeDefName((TypeDefinitionHandle)h),
        HandleKind.TypeSpecification => GenericDefinitionName((TypeSpecificationHandle)h),
        _ => "?",
    };

    private string GenericDefinitionName(TypeSpecificationHandle h)
    {
        var reader = md.GetBlobReader(md.GetTypeSpecification(h).Signature);
        var decoded = new SignatureDecoder<string, object?>(new NameProvider(this), md, null).DecodeType(ref reader);
        int angle = decoded.IndexOf('<');
        return angle < 0 ? decoded : decoded[..angle];
    }

    private string TypeRefName(TypeReferenceHandle h)
    {
        var r = md.GetTypeReference(h);
        return r.ResolutionScope.Kind == HandleKind.TypeReference
            ? $"{TypeRefName((TypeReferenceHandle)r.ResolutionScope)}+{md.GetString(r.Name)}"
            : $"{md.GetString(r.Namespace)}.{md.GetString(r.Name)}";
    }

    private string TypeDefName(TypeDefinitionHandle h)
    {
        var d = md.GetTypeDefinition(h);
        var declaring = d.GetDeclaringType();
        return declaring.IsNil ? $"{md.GetString(d.Namespace)}.{md.GetString(d.Name)}" : $"{TypeDefName(declaring)}+{md.GetString(d.Name)}";
    }

    private (string Parameters, string Return) Signature(BlobHandle blob)
    {
        var reader = md.GetBlobReader(blob);
        var sig = new SignatureDecoder<string, object?>(new NameProvider(this), md, null).DecodeMethodSignature(ref reader);
        return ($"({string.Join(",", sig.ParameterTypes)})", sig.ReturnType);
    }

    /// <summary>Full type names (so that TorchSharp's own metadata and ours name a type the same way).</summary>
    private sealed class NameProvider(IlCallGraph graph) : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string element, ArrayShape shape) => element + "[,]";
        public string GetByReferenceType(string element) => element + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string generic, ImmutableArray<string> arguments) => $"{generic}<{string.Join(",", arguments)}>";
        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? context, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodified, bool isRequired) => unmodified;
        public string GetPinnedType(string element) => element;
        public string GetPointerType(string element) => element + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string element) => element + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => graph.TypeDefName(handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => graph.TypeRefName(handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => "spec";
    }
}
