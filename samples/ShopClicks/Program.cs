// ShopClicks: a model of the shop's own columns (ShopModel.cs), trained on a CSV file, evaluated on a separate
// Parquet file, saved, loaded and asked for the click probability of new, unlabeled rows. No Criteo anywhere.
// Run from the repository root:  dotnet run --project samples/ShopClicks  [-- FOLDER: keep the data files there]
using RobeGen; // with the package's global usings (RobeGen.Data, RobeGen.Training, ...), all a program needs
using ShopClicks;

string folder = args.Length > 0 ? Directory.CreateDirectory(args[0]).FullName : Directory.CreateTempSubdirectory("shopclicks-").FullName;
string trainCsv = Path.Combine(folder, "clicks-train.csv");
string testParquet = Path.Combine(folder, "clicks-test.parquet");
string newCsv = Path.Combine(folder, "clicks-new.csv");
string checkpoint = Path.Combine(folder, "shop.rgck");

// 1. The shop's log: 40,000 rows to train on (CSV), 10,000 other rows to evaluate on (Parquet), 5 new rows without a label.
ShopLog.WriteCsv(trainCsv, rows: 40_000, seed: 1);
ShopLog.WriteParquet(testParquet, rows: 10_000, seed: 2);
ShopLog.WriteCsv(newCsv, rows: 5, seed: 3, labeled: false);
Console.WriteLine($"{ShopModel.Declaration}\n  {ShopModel.ParameterCount:N0} parameters, data in {folder}\n");

// 2. Train: the columns are found by name; the age statistics and the country vocabulary are fitted on the training file.
var train = TabularData.Open(ShopModel.Declaration, trainCsv);
TabularData test = train.WithFiles(testParquet);
var options = new ModelOptions { Seed = 42, Optimizer = OptimizerKind.Adagrad, MaxBatchSize = 256, Device = DeviceKind.Cpu };
using (IDlrmBackend model = Dlrm.Create(ShopModel.Definition, options))
{
    var trainer = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 256, LearningRate = LearningRateSchedule.Constant(0.02f) },
        saveCheckpoint: snapshot => ModelCheckpoint.Save(checkpoint, model, options, snapshot));
    TrainingSummary summary = trainer.Train(train, test);
    Console.WriteLine($"trained {summary.Final.Step} steps ({summary.WallRowsPerSecond:N0} rows/s wall-clock)");
    Console.WriteLine($"evaluated on {Path.GetFileName(testParquet)}: {summary.Evaluation}");
}

// 3. Serve: the checkpoint holds the model, the country vocabulary and the age statistics.
using Predictor predictor = Predictor.Load(checkpoint, ShopModel.Definition);
var unlabeled = new TabularData(ShopModel.Declaration, [newCsv]) { Labeled = false, Statistics = predictor.Loaded.DenseStatistics };
using IBatchCursor rows = unlabeled.Open(DataPosition.Start, batchSize: 5);
rows.MoveNext();
var probabilities = new float[rows.Current.Count];
predictor.Predict(rows.Current, probabilities);
for (int i = 0; i < probabilities.Length; i++) Console.WriteLine($"new row {i + 1}: click probability {probabilities[i]:F4}");
if (args.Length == 0) Directory.Delete(folder, recursive: true);
