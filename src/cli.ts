console.log('costlens: not built yet');
