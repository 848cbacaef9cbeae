
set terminal pngcairo size 1100,600 font 'sans,10'
set output '/work/main/bench/results/peers-2026-12-07-rps.png'
set title 'HTTP requests/s through each tunnel, 1 KiB responses (2 cores, median of 3 round(s); log scale)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [10:*]
set ylabel 'requests/s'
set xtics rotate by -15
set grid ytics
set key top right
plot '/work/main/bench/results/peers-2026-12-07-rps.dat' using 2:xtic(1) title 'keep-alive, 16 conns', '' using 3 title 'keep-alive, 256 conns', '' using 4 title 'new connection per request, 16'
reset
set terminal pngcairo size 1100,600 font 'sans,10'
set output '/work/main/bench/results/peers-2026-12-07-latency.png'
set title 'Latency distribution, keep-alive, 16 connections (median of rounds per percentile)'
set logscale xy
set xlabel 'percentile'
set ylabel 'latency, ms'
set xtics ('50' 2, '90' 10, '99' 100, '99.9' 1000, '99.99' 10000)
set grid
set key top left
plot '/work/main/bench/results/peers-2026-12-07-latency.dat' index 0 using 2:3 with linespoints title 'Burrow, inspection off', '/work/main/bench/results/peers-2026-12-07-latency.dat' index 1 using 2:3 with linespoints title 'Burrow, A/B alternative (BURROW_ALT_*)', '/work/main/bench/results/peers-2026-12-07-latency.dat' index 2 using 2:3 with linespoints title 'ssh -R (aes128-gcm)'
