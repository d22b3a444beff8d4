using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace RobeGen.Tests.Architecture;

/// <summary>One namespace using another, with one type of each side as the example that proves it.</summary>
public readonly record struct NamespaceEdge(string From, string To, string FromType, string ToType)
{
    public override string ToString() => $"{From} -> {To} ({FromType} uses {ToType})";
}

/// <summary>
/// Which namespaces of an assembly use which, read from its metadata: base types, interfaces, attributes, the
/// signatures of fields, methods, properties and events, local variables, and every type, method and field token in
/// the method bodies (so a <c>new X()</c> or a call deep inside a method counts as much as a field of type X).
/// Compiler-generated types (lambdas' closures, iterators) count for the namespace of the type they are nested in.
/// </summary>
public static class NamespaceDependencies
{
    /// <summary>The edges between namespaces starting with <paramref name="prefix"/> in <paramref name="assemblyPath"/>.</summary>
    public static IReadOnlyList<NamespaceEdge> Read(string assemblyPath, string prefix)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        MetadataReader md = pe.GetMetadataReader();
        var reader = new Reader(md, pe, prefix);
        foreach (TypeDefinitionHandle type in md.TypeDefinitions) reader.AddType(type);
        return reader.Edges.Values.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ToList();
    }

    /// <summary>The strongly connected groups of two or more namespaces (each a cycle), every group sorted by name.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IEnumerable<NamespaceEdge> edges)
    {
        var next = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (NamespaceEdge e in edges)
        {
            if (!next.TryGetValue(e.From, out var list)) next[e.From] = list = new();
            list.Add(e.To);
            next.TryAdd(e.To, new());
        }
        // Tarjan's algorithm.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<IReadOnlyList<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in next[v])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var group = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); group.Add(x); } while (x != v);
            if (group.Count > 1) groups.Add(group.Order(StringComparer.Ordinal).ToList());
        }
        foreach (string v in next.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return groups;
    }

    private sealed class Reader(MetadataReader md, PEReader pe, string prefix) : ISignatureTypeProvider<ImmutableArray<string>, object?>
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(op => op.Value, op => op.OperandType);

        public Dictionary<(string, string), NamespaceEdge> Edges { get; } = new();
        private string _from = "", _fromType = "";

        public void AddType(TypeDefinitionHandle handle)
        {
            TypeDefinition type = md.GetTypeDefinition(handle);
            _from = NamespaceOf(handle);
            if (!InScope(_from)) return;
            _fromType = NameOf(handle);

            if (!type.BaseType.IsNil) Use(type.BaseType);
            foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations()) Use(md.GetInterfaceImplementation(i).Interface);
            Attributes(type.GetCustomAttributes());
            foreach (GenericParameterHandle p in type.GetGenericParameters()) Constraints(p);
            foreach (FieldDefinitionHandle f in type.GetFields())
            {
                FieldDefinition field = md.GetFieldDefinition(f);
                Add(field.DecodeSignature(this, null));
                Attributes(field.GetCustomAttributes());
            }
            foreach (PropertyDefinitionHandle p in type.GetProperties())
            {
                PropertyDefinition property = md.GetPropertyDefinition(p);
                Add(property.DecodeSignature(this, null));
                Attributes(property.GetCustomAttributes());
            }
            foreach (EventDefinitionHandle e in type.GetEvents()) Use(md.GetEventDefinition(e).Type);
            foreach (MethodDefinitionHandle m in type.GetMethods()) AddMethod(md.GetMethodDefinition(m));
        }

        private void AddMethod(MethodDefinition method)
        {
            Add(method.DecodeSignature(this, null));
            Attributes(method.GetCustomAttributes());
            foreach (ParameterHandle p in method.GetParameters()) Attributes(md.GetParameter(p).GetCustomAttributes());
            foreach (GenericParameterHandle p in method.GetGenericParameters()) Constraints(p);
            if (method.RelativeVirtualAddress == 0) return; // abstract, extern
            MethodBodyBlock body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                foreach (ImmutableArray<string> local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null)) Add(local);
            BlobReader il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE) code = unchecked((short)(0xFE00 | il.ReadByte()));
                switch (Operands[code])
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.Offset += 1; break;
                    case OperandType.InlineVar: il.Offset += 2; break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString: il.Offset += 4; break;
                    case OperandType.InlineI8 or OperandType.InlineR: il.Offset += 8; break;
                    case OperandType.InlineSwitch: int targets = il.ReadInt32(); il.Offset += 4 * targets; break;
                    case OperandType.InlineSig:
                        Add(md.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32())).DecodeMethodSignature(this, null));
                        break;
                    default: // InlineField, InlineMethod, InlineTok, InlineType
                        Use(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                }
            }
        }

        private void Constraints(GenericParameterHandle handle)
        {
            foreach (GenericParameterConstraintHandle c in md.GetGenericParameter(handle).GetConstraints())
                Use(md.GetGenericParameterConstraint(c).Type);
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (CustomAttributeHandle a in attributes) Use(md.GetCustomAttribute(a).Constructor);
        }

        /// <summary>Records the namespaces a type, member or method token refers to.</summary>
        private void Use(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    Edge(NamespaceOf((TypeDefinitionHandle)handle), NameOf((TypeDefinitionHandle)handle));
                    break;
                case HandleKind.TypeReference:
                case HandleKind.TypeSpecification:
                    Add(Type(handle));
                    break;
                case HandleKind.FieldDefinition:
                    Use(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MethodDefinition:
                    Use(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    MemberReference member = md.GetMemberReference((MemberReferenceHandle)handle);
                    Use(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) Add(member.DecodeMethodSignature(this, null));
                    else Add(member.DecodeFieldSignature(this, null));
                    break;
                case HandleKind.MethodSpecification:
                    MethodSpecification spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Use(spec.Method);
                    foreach (ImmutableArray<string> argument in spec.DecodeSignature(this, null)) Add(argument);
                    break;
            }
        }

        private ImmutableArray<string> Type(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => [],
        };

        private void Add(MethodSignature<ImmutableArray<string>> signature)
        {
            Add(signature.ReturnType);
            foreach (ImmutableArray<string> p in signature.ParameterTypes) Add(p);
        }

        private void Add(ImmutableArray<string> types)
        {
            foreach (string type in types) Edge(type[..type.LastIndexOf('|')], type[(type.LastIndexOf('|') + 1)..]);
        }

        private void Edge(string to, string toType)
        {
            if (to == _from || !InScope(to)) return;
            Edges.TryAdd((_from, to), new NamespaceEdge(_from, to, _fromType, toType));
        }

        private bool InScope(string ns) => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

        /// <summary>The namespace of a type, or of the outermost type it is nested in.</summary>
        private string NamespaceOf(TypeDefinitionHandle handle)
        {
            TypeDefinition type = md.GetTypeDefinition(handle);
            return type.IsNested ? NamespaceOf(type.GetDeclaringType()) : md.GetString(type.Namespace);
        }

        private string NameOf(TypeDefinitionHandle handle)
        {
            TypeDefinition type = md.GetTypeDefinition(handle);
            return (type.IsNested ? NameOf(type.GetDeclaringType()) + "." : "") + md.GetString(type.Name);
        }

        // The signature provider: a type is the list of "namespace|type" of every named type it mentions.
        public ImmutableArray<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            [NamespaceOf(handle) + "|" + NameOf(handle)];

        public ImmutableArray<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            TypeReference type = md.GetTypeReference(handle);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind)
                : [md.GetString(type.Namespace) + "|" + md.GetString(type.Name)];
        }

        public ImmutableArray<string> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            md.GetTypeSpecification(handle).DecodeSignature(this, context);

        public ImmutableArray<string> GetGenericInstantiation(ImmutableArray<string> genericType, ImmutableArray<ImmutableArray<string>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(a => a));

        public ImmutableArray<string> GetFunctionPointerType(MethodSignature<ImmutableArray<string>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(p => p));

        public ImmutableArray<string> GetModifiedType(ImmutableArray<string> modifier, ImmutableArray<string> unmodifiedType, bool isRequired) => unmodifiedType.AddRange(modifier);
        public ImmutableArray<string> GetArrayType(ImmutableArray<string> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<string> GetSZArrayType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetByReferenceType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetPointerType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetPinnedType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
        public ImmutableArray<string> GetGenericMethodParameter(object? context, int index) => [];
        public ImmutableArray<string> GetGenericTypeParameter(object? context, int index) => [];
    }
}
