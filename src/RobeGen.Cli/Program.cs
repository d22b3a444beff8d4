Console.WriteLine("robegen: not wired yet");
