using RobeGen.Backends;
using RobeGen.Data;

namespace RobeGen.Tests.TestModels;

/// <summary>
/// A real backend seen only through <see cref="IStreamedState"/>: its whole-state export and import throw, so a test
/// that checkpoints or loads it proves the path never copies the state whole (as a CUDA model larger than the host must not).
/// </summary>
internal sealed class StreamedOnlyBackend(IDlrmBackend inner) : IDlrmBackend, IStreamedState
{
    public IDlrmBackend Inner => inner;
    public string DeviceName => inner.DeviceName;
    public ModelDeclaration Declaration => inner.Declaration;
    public EmbeddingLayout Layout => inner.Layout;
    public float TrainStep(Batch batch, float learningRate) => inner.TrainStep(batch, learningRate);
    public void Predict(Batch batch, Span<float> probabilities) => inner.Predict(batch, probabilities);
    public ModelState ExportState() => throw new InvalidOperationException("ExportState of a streamed-only backend");
    public void ImportState(ModelState state) => throw new InvalidOperationException("ImportState of a streamed-only backend");
    public void Dispose() => inner.Dispose();

    public IReadOnlyList<TensorShape> StateShape => StateShapes.Of(inner.ExportState());
    public void ReadState(StateChunkVisitor visit, int pieceLength) => new HostStateStream(inner.ExportState()).ReadState(visit, pieceLength);

    public void WriteState(StatePieceFiller fill, int pieceLength)
    {
        ModelState state = inner.ExportState();
        new HostStateStream(state).WriteState(fill, pieceLength);
        inner.ImportState(state);
    }
}
