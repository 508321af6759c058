console.log('benchmarks: coming');
