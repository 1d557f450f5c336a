console.log("mem-bench: not yet");
