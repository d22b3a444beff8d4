// QuickStart: declare a model (SmallCtr.cs), train it on Criteo rows, save it, and serve it.
// Run from the repository root:  dotnet run --project samples/QuickStart [-- path/to/criteo.tsv.gz]
using QuickStart;
using RobeGen; // with the package's global usings (RobeGen.Data, RobeGen.Training, ...), all a program needs

string data = args.Length > 0 ? args[0] : Path.Combine("samples", "data", "criteo_1tb_day0_head10k.tsv.gz");
Console.WriteLine($"{SmallCtr.Declaration}\n  {SmallCtr.ParameterCount:N0} parameters ({SmallCtr.ParameterBytes / 1024.0:N0} KiB), " +
                  $"{SmallCtr.CompressionRatio:N0}x smaller embeddings than full tables\n");

// 1. Data: the last 20% of the lines are held out for evaluation. The reader picks SmallCtr's 8 columns.
var (train, eval) = HoldoutSplit.Split([data], 0.2);
train = train.ForModel(SmallCtr.Declaration);
eval = eval.ForModel(SmallCtr.Declaration);

// 2. Train on the CPU (DeviceKind.Cuda or Auto runs the same model on a GPU).
var options = new ModelOptions { Seed = 42, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 128, Device = DeviceKind.Cpu };
string checkpoint = Path.Combine(Path.GetTempPath(), "smallctr.rgck");
using (IDlrmBackend model = Dlrm.Create(SmallCtr.Definition, options))
{
    var trainer = new Trainer(model, new TrainingOptions { Epochs = 1, BatchSize = 128, LearningRate = LearningRateSchedule.Constant(0.01f) },
        saveCheckpoint: state => ModelCheckpoint.Save(checkpoint, model, options, state));
    TrainingSummary summary = trainer.Train(train, eval);
    Console.WriteLine($"trained {summary.Final.Step} steps on {summary.Device}: {summary.Evaluation}");
}

// 3. Serve: load the checkpoint (its fingerprint must match SmallCtr's declaration) and score rows.
using Predictor predictor = Predictor.Load(checkpoint, SmallCtr.Definition);
using IBatchCursor rows = eval.Open(DataPosition.Start, batchSize: 5);
rows.MoveNext();
var probabilities = new float[5];
predictor.Predict(rows.Current, probabilities);
for (int i = 0; i < 5; i++)
    Console.WriteLine($"row {i}: click probability {probabilities[i]:F4} (label {rows.Current.Labels[i]})");
