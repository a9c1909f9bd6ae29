[assembly: AssemblyFixture(typeof(OpenSesame.Testing.TinyRanker))]
