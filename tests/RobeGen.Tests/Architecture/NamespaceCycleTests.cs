namespace RobeGen.Tests.Architecture;

/// <summary>
/// The namespaces of the runtime (and of the lab) form layers: no namespace uses one that uses it back, directly or
/// round a longer loop (docs/api.md shows the layers). A cycle here is a design change to be made on purpose, not by
/// a stray using.
/// </summary>
public sealed class NamespaceCycleTests
{
    [Theory]
    [InlineData(typeof(IDlrmDefinition), "RobeGen")]
    [InlineData(typeof(Lab.Equivalence.ReferenceDlrm), "RobeGen.Lab")]
    public void An_assembly_has_no_namespace_cycle(Type inAssembly, string prefix)
    {
        var edges = NamespaceDependencies.Read(inAssembly.Assembly.Location, prefix);
        var cycles = NamespaceDependencies.Cycles(edges);
        Assert.True(cycles.Count == 0, $"Namespace cycles in {inAssembly.Assembly.GetName().Name}.dll:\n" + string.Join("\n", cycles.Select(group =>
            "  {" + string.Join(", ", group) + "}, through:\n" + string.Join("\n", edges
                .Where(e => group.Contains(e.From) && group.Contains(e.To)).Select(e => "    " + e)))));
    }

    [Fact]
    public void The_reader_sees_uses_in_method_bodies_fields_generic_arguments_and_closures()
    {
        const string fixture = "RobeGen.Tests.Architecture.Fixture";
        var edges = NamespaceDependencies.Read(typeof(NamespaceCycleTests).Assembly.Location, fixture)
            .Select(e => (e.From[(fixture.Length + 1)..], e.To[(fixture.Length + 1)..])).ToHashSet();

        Assert.Contains(("Left", "Right"), edges);      // new Right.Target() in a method body
        Assert.Contains(("Right", "Left"), edges);      // a field of type Left.Caller
        Assert.Contains(("Generic", "Lonely"), edges);  // List<Lonely.Thing> in a method body
        Assert.Contains(("Closure", "Lonely"), edges);  // new Lonely.Thing in a lambda
        Assert.Equal(4, edges.Count);
    }

    [Fact]
    public void A_cycle_is_reported_with_every_namespace_in_it_and_nothing_else()
    {
        const string fixture = "RobeGen.Tests.Architecture.Fixture";
        var cycles = NamespaceDependencies.Cycles(NamespaceDependencies.Read(typeof(NamespaceCycleTests).Assembly.Location, fixture));
        Assert.Equal([[fixture + ".Left", fixture + ".Right"]], cycles);
    }

    [Fact]
    public void A_longer_loop_is_one_cycle()
    {
        NamespaceEdge E(string from, string to) => new(from, to, "", "");
        var cycles = NamespaceDependencies.Cycles([E("A", "B"), E("B", "C"), E("C", "A"), E("C", "D"), E("D", "E")]);
        Assert.Equal([["A", "B", "C"]], cycles);
    }
}
