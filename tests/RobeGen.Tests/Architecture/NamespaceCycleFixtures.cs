// Namespaces that use each other in known ways, so NamespaceCycleTests can prove the dependency reader sees each kind of use.

namespace RobeGen.Tests.Architecture.Fixture.Left
{
    /// <summary>Uses Right only inside a method body.</summary>
    internal sealed class Caller
    {
        public object Make() => new Right.Target();
    }
}

namespace RobeGen.Tests.Architecture.Fixture.Right
{
    internal sealed class Target;

    /// <summary>Uses Left only through a field's type: with Caller, a cycle.</summary>
    internal sealed class Holder
    {
        public Left.Caller? Caller;
    }
}

namespace RobeGen.Tests.Architecture.Fixture.Lonely
{
    internal sealed class Thing(int value)
    {
        public int Value => value;
    }
}

namespace RobeGen.Tests.Architecture.Fixture.Generic
{
    /// <summary>Uses Lonely only as a generic argument inside a method body.</summary>
    internal static class User
    {
        public static int Count() => new List<Lonely.Thing>().Count;
    }
}

namespace RobeGen.Tests.Architecture.Fixture.Closure
{
    /// <summary>Uses Lonely only inside a lambda (a compiler-generated closure class).</summary>
    internal static class Maker
    {
        public static Func<object> Later(int value) => () => new Lonely.Thing(value);
    }
}
