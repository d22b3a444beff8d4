using System.CommandLine;
using System.Reflection;
using System.Runtime.Loader;
using RobeGen.Backends;
using RobeGen.Checkpoints;
using RobeGen.Models;
using RobeGen.Serving;

namespace RobeGen.Cli.Commands;

/// <summary>
/// The models a command knows: the built-in ones, and those a user's own assembly declares (<c>--model-assembly</c>):
/// every class of it that the generator turned into a model (a public static <c>Definition</c>), by class or full name.
/// </summary>
internal static class ModelChoice
{
    public static Option<FileInfo?> AssemblyOption() => new("--model-assembly")
    {
        Description = "A built .dll declaring your own models ([Dlrm] partial classes): --model then takes one's class name.",
    };

    /// <summary>The definitions declared in the assembly at <paramref name="path"/>, loaded beside the CLI's own RobeGen.</summary>
    public static IReadOnlyList<IDlrmDefinition> Declared(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CliException($"--model-assembly {path}: no such file.");
        Assembly assembly;
        try
        {
            assembly = new UserModelContext(full).LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new CliException($"--model-assembly {path}: not a .NET assembly; give the .dll your project builds (bin/.../YourModels.dll).");
        }
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }
        return types
            .Where(t => t is { IsClass: true, ContainsGenericParameters: false })
            .Select(t => t!.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(p => p is not null && typeof(IDlrmDefinition).IsAssignableFrom(p.PropertyType))
            .Select(p => (IDlrmDefinition)p!.GetValue(null)!)
            .OrderBy(d => d.Declaration.Name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// The model <c>--model</c> names: a built-in one, or with an assembly one of its classes (class or full name). Without
    /// a name: criteo-kaggle, or the assembly's model when it declares one only.
    /// </summary>
    public static IDlrmDefinition Choose(string? name, FileInfo? assembly)
    {
        if (assembly is null)
        {
            name ??= "criteo-kaggle";
            return ModelCatalog.Builtin.TryGetValue(name, out IDlrmDefinition? builtin) ? builtin
                : throw new CliException($"--model {name}: not a built-in model ({string.Join(", ", ModelCatalog.Builtin.Keys)}); " +
                    "for your own model give --model-assembly PATH (the .dll declaring it) and its class name.", 2);
        }
        IReadOnlyList<IDlrmDefinition> declared = Declared(assembly.FullName);
        if (declared.Count == 0) throw new CliException($"--model-assembly {assembly}: declares no model (no [Dlrm] partial class).", 2);
        if (name is null)
        {
            return declared.Count == 1 ? declared[0]
                : throw new CliException($"--model-assembly {assembly.Name} declares {declared.Count} models; choose one with --model: " +
                    $"{string.Join(", ", declared.Select(d => d.GetType().Name))}.", 2);
        }
        IDlrmDefinition? match = declared.FirstOrDefault(d => d.GetType().Name == name || d.GetType().FullName == name || d.Declaration.Name == name)
            ?? declared.FirstOrDefault(d => string.Equals(d.GetType().Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(d.GetType().FullName, name, StringComparison.OrdinalIgnoreCase));
        if (match is not null) return match;
        if (ModelCatalog.Builtin.TryGetValue(name, out IDlrmDefinition? named)) return named;
        throw new CliException($"--model {name}: {assembly.Name} declares no such model; its models: " +
            $"{string.Join(", ", declared.Select(d => d.GetType().Name))}.", 2);
    }

    /// <summary>The built-in models and those of <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<IDlrmDefinition> Known(FileInfo? assembly) =>
        [.. ModelCatalog.Builtin.Values, .. assembly is null ? [] : Declared(assembly.FullName)];

    /// <summary>The definition of the model a checkpoint holds, or a one-line error saying how to point at it.</summary>
    public static IDlrmDefinition ForCheckpoint(string checkpoint, FileInfo? assembly)
    {
        string name = CheckpointFile.PeekDeclarationName(checkpoint);
        IDlrmDefinition? found = Known(assembly).FirstOrDefault(d => d.Declaration.Name == name);
        if (found is not null) return found;
        throw new CliException(assembly is null
            ? $"{checkpoint} holds the model {name}, which is not built in; give --model-assembly PATH, the .dll that declares it."
            : $"{checkpoint} holds the model {name}, which {assembly.Name} does not declare; give --model-assembly the .dll that declares it.");
    }

    public static LoadedModel Load(string checkpoint, FileInfo? assembly, ModelOptions runtime) =>
        ModelCheckpoint.Load(checkpoint, ForCheckpoint(checkpoint, assembly), runtime);

    public static Predictor LoadPredictor(string checkpoint, FileInfo? assembly, ModelOptions runtime) =>
        Predictor.Load(checkpoint, ForCheckpoint(checkpoint, assembly), runtime);

    /// <summary>
    /// Loads a user's assembly and its own dependencies from its folder, while RobeGen and whatever the CLI already
    /// loaded come from the CLI's copy: the user's model then implements the very IDlrmDefinition the CLI calls.
    /// </summary>
    private sealed class UserModelContext(string path) : AssemblyLoadContext("robegen-model-assembly")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName name)
        {
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName()))) return null;
            if (TryDefault(name) is { } shared) return shared;
            return _resolver.ResolveAssemblyToPath(name) is { } file ? LoadFromAssemblyPath(file) : null;
        }

        /// <summary>An assembly the CLI ships (RobeGen, ILGPU, ParquetSharp...), loaded into the default context.</summary>
        private static Assembly? TryDefault(AssemblyName name)
        {
            try
            {
                return Default.LoadFromAssemblyName(name);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException)
            {
                return null;
            }
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } file ? LoadUnmanagedDllFromPath(file) : IntPtr.Zero;
    }
}
